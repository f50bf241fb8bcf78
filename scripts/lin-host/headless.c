/*
 * Runs a Moddable Linux build (`mcconfig -p lin`, a shared object mc.so) without a window.
 *
 * The SDK's own host for mc.so is mcsim, a GTK simulator with a screen, buttons and xsbug.
 * A node has no screen, and a test or a bench wants its output on stdout and its input on stdin,
 * so this plays the part of the host side of the SDK's screen interface (screen.h, compiled in
 * from $MODDABLE/build/simulators/modules): it launches the machine through fxScreenLaunch, runs
 * GLib's main loop (where the runtime's timers and sockets live), passes each line of stdin to
 * the global `screen.onMessage`, and prints what `screen.postMessage` sends as `@host <message>`.
 *
 * Exit status: 0 when stdin closes; 75 when the node asked to restart (the caller starts it
 * again, as the chip's reset would); 70 when XS aborted (the reason is printed before).
 *
 *   cc -m32 -o headless headless.c -I$MODDABLE/build/simulators/modules $(pkg-config --cflags --libs glib-2.0) -ldl
 *   ./headless path/to/mc.so
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screen.h"

#define EXIT_RESTART 75
#define EXIT_ABORTED 70

static GMainLoop* loop;
static guint idleSource;
static int exitStatus = 0;

static gboolean onIdle(gpointer data)
{
	txScreen* screen = data;
	if (screen->idle)
		(*screen->idle)(screen);
	return G_SOURCE_CONTINUE;
}

static void onStart(txScreen* screen, double interval)
{
	if (idleSource)
		g_source_remove(idleSource);
	idleSource = g_timeout_add(interval > 0 ? (guint)interval : 1, onIdle, screen);
}

static void onStop(txScreen* screen)
{
	if (idleSource) {
		g_source_remove(idleSource);
		idleSource = 0;
	}
}

static void onAbort(txScreen* screen, int status)
{
	fprintf(stdout, "@host {\"event\":\"abort\",\"status\":%d}\n", status);
	fflush(stdout);
	exitStatus = EXIT_ABORTED;
	g_main_loop_quit(loop);
}

static gboolean quitSoon(gpointer data)
{
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

static void onPost(txScreen* screen, char* message, int size)
{
	int length = size ? size : (int)strlen(message);
	fprintf(stdout, "@host %.*s\n", length, message);
	fflush(stdout);
	if (memmem(message, length, "\"event\":\"restart\"", 17)) {
		exitStatus = EXIT_RESTART;
		g_idle_add(quitSoon, NULL);
	}
}

static void onNothing(txScreen* screen)
{
}

static gboolean onInput(GIOChannel* channel, GIOCondition condition, gpointer data)
{
	txScreen* screen = data;
	gchar* line = NULL;
	gsize length = 0;
	GIOStatus status = g_io_channel_read_line(channel, &line, &length, NULL, NULL);
	if (status == G_IO_STATUS_NORMAL && line) {
		g_strchomp(line);
		if (line[0] && screen->invoke)
			(*screen->invoke)(screen, line, 0);
		g_free(line);
		return G_SOURCE_CONTINUE;
	}
	g_free(line);
	if (status == G_IO_STATUS_AGAIN)
		return G_SOURCE_CONTINUE;
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

int main(int argc, char* argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s path/to/mc.so\n", argv[0]);
		return 64;
	}
	void* library = dlopen(argv[1], RTLD_NOW);
	if (!library) {
		fprintf(stderr, "cannot load %s: %s\n", argv[1], dlerror());
		return 66;
	}
	txScreenLaunchProc launch = (txScreenLaunchProc)dlsym(library, "fxScreenLaunch");
	if (!launch) {
		fprintf(stderr, "%s has no fxScreenLaunch: not a Moddable lin build\n", argv[1]);
		return 66;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	// A write to a socket the broker has closed must come back as an error, as lwIP's does on the
	// ESP32, for the MQTT client to report; by default Linux kills the process instead.
	signal(SIGPIPE, SIG_IGN);
	loop = g_main_loop_new(NULL, FALSE);

	txScreen* screen = calloc(1, sizeof(txScreen) + screenBytesPerPixel);
	screen->width = 1;
	screen->height = 1;
	screen->abort = onAbort;
	screen->bufferChanged = onNothing;
	screen->formatChanged = onNothing;
	screen->post = onPost;
	screen->start = onStart;
	screen->stop = onStop;
	mxCreateMutex(&screen->workersMutex);

	GIOChannel* input = g_io_channel_unix_new(0);
	g_io_add_watch(input, G_IO_IN | G_IO_HUP | G_IO_ERR, onInput, screen);

	(*launch)(screen);
	if (!screen->machine) {
		fprintf(stderr, "the XS machine did not start\n");
		return EXIT_ABORTED;
	}
	if (exitStatus == 0)
		g_main_loop_run(loop);
	if (screen->quit && exitStatus != EXIT_ABORTED)
		(*screen->quit)(screen);
	fflush(stdout);
	return exitStatus;
}
