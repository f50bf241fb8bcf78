/**
 * The channel between the node and whoever runs it on the computer. Moddable's Linux runtime
 * (build/simulators/modules/screen.c) defines a global `screen`: its `onMessage` receives what the
 * host sends in (the headless loader passes each line of its stdin), and `postMessage` hands a
 * string out (the loader prints it on stdout after `@host `). Nothing else in the firmware sees it.
 */
export interface HostScreen {
  onMessage?: (message: string) => void;
  postMessage(message: string): void;
}

export function hostScreen(): HostScreen {
  const screen = (globalThis as unknown as { screen?: HostScreen }).screen;
  if (!screen) throw new Error("no `screen` global: build with mcconfig -p lin and run under the headless loader");
  return screen;
}

/** Sends one JSON message to the host. */
export function tellHost(message: Record<string, unknown>): void {
  hostScreen().postMessage(JSON.stringify(message));
}
