/*
 * Shouwang's device identities for Mosquitto 2.0 (plugin interface version 5).
 *
 * Why a plugin of our own: the dynamic-security plugin rewrites its whole JSON file on every
 * change (plugins/dynamic-security/plugin.c, dynsec__config_save, called per command), so
 * registering one node costs more the bigger the fleet; and its role ACLs do not substitute the
 * client's identity (%u/%c) in 2.0.11, so every node needs a role of its own. Nothing in Debian
 * does this (mosquitto-go-auth and the like are not packaged), hence these few hundred lines.
 *
 * It owns two kinds of identity and leaves every other account to dynamic security:
 *
 *   node    username = client id = the node's serial (12 lowercase hex digits); password checked
 *           against the SHA-256 the cloud stores; may publish under sw/v1/node/<serial>/ except
 *           its cmd tree, and read only its cmd tree.
 *   claim   username claim-<batch>, client id claim-<serial>, for a serial the batch was made for
 *           and only until it expires or the node first logs in as itself; password = the
 *           batch's claim secret (its SHA-256 is what is stored); may publish only
 *           sw/v1/claim/<batch>/<serial>/req and read only …/resp.
 *
 * Client ids are bound to their owners: a serial's id only to that node, claim-<serial> only to
 * that serial's claim, and an id beginning with `sw-` only to the account it starts with
 * (sw-cloud-… to sw-cloud). Since a connection is authorised before Mosquitto takes over an
 * existing session with the same id, nobody can take over an id they do not own.
 *
 * Changes arrive as text on $CONTROL/shouwang/v1 (the broker's ACL decides who may publish
 * there: dynamic security grants it to the provisioner), one command per line:
 *
 *   <corr> node-set <serial> <sha256-hex>
 *   <corr> node-del <serial>                        deletes and disconnects the node
 *   <corr> claim-set <serial> <batch> <sha256-hex> <expires-unix-s>
 *   <corr> claim-del <serial>                       deletes and disconnects the claim
 *   <corr> claim-del-batch <batch>
 *
 * and each is answered on $CONTROL/shouwang/v1/response as `<corr> ok` or `<corr> error <why>`.
 * Each change is one hash-table update and one line appended to the journal
 * (plugin_opt_journal), so its cost does not grow with the fleet; the journal is replayed and
 * compacted when the broker starts. Like dynamic security's own file it is flushed to the OS,
 * not fsynced: a broker crash keeps it, a power cut may lose the last changes.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

#define CONTROL_TOPIC "$CONTROL/shouwang/v1"
#define RESPONSE_TOPIC "$CONTROL/shouwang/v1/response"
#define SERIAL_LEN 12
#define BATCH_MAX 32
#define SWEEP_EVERY_S 10

struct entry {
	char key[SERIAL_LEN + 1];
	unsigned char hash[SHA256_DIGEST_LENGTH];
	char batch[BATCH_MAX + 1]; /* claims only */
	time_t expires;            /* claims only */
	struct entry *next;
};

struct table {
	struct entry **buckets;
	size_t size;
	size_t count;
};

static mosquitto_plugin_id_t *plugin_id;
static struct table nodes;
static struct table claims;
static char *journal_path;
static FILE *journal;
static time_t last_sweep;

/* ---- small helpers ---- */

static bool is_serial(const char *s)
{
	size_t i;
	if(s == NULL || strlen(s) != SERIAL_LEN) return false;
	for(i = 0; i < SERIAL_LEN; i++){
		if(!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f')) return false;
	}
	return true;
}

/* The project's batch id pattern: ^[a-z0-9][a-z0-9-]{2,31}$ (shared/claim.ts). */
static bool is_batch(const char *s)
{
	size_t i, len;
	if(s == NULL) return false;
	len = strlen(s);
	if(len < 3 || len > BATCH_MAX) return false;
	for(i = 0; i < len; i++){
		bool ok = isdigit((unsigned char)s[i]) || (s[i] >= 'a' && s[i] <= 'z') || (i > 0 && s[i] == '-');
		if(!ok) return false;
	}
	return true;
}

static bool parse_hash(const char *hex, unsigned char out[SHA256_DIGEST_LENGTH])
{
	size_t i;
	if(hex == NULL || strlen(hex) != SHA256_DIGEST_LENGTH * 2) return false;
	for(i = 0; i < SHA256_DIGEST_LENGTH; i++){
		unsigned int byte;
		if(!isxdigit((unsigned char)hex[2*i]) || !isxdigit((unsigned char)hex[2*i + 1])) return false;
		if(sscanf(hex + 2*i, "%2x", &byte) != 1) return false;
		out[i] = (unsigned char)byte;
	}
	return true;
}

static void format_hash(const unsigned char hash[SHA256_DIGEST_LENGTH], char out[SHA256_DIGEST_LENGTH * 2 + 1])
{
	size_t i;
	for(i = 0; i < SHA256_DIGEST_LENGTH; i++) snprintf(out + 2*i, 3, "%02x", hash[i]);
}

static bool password_matches(const char *password, const unsigned char expected[SHA256_DIGEST_LENGTH])
{
	unsigned char actual[SHA256_DIGEST_LENGTH];
	if(password == NULL) return false;
	SHA256((const unsigned char *)password, strlen(password), actual);
	return CRYPTO_memcmp(actual, expected, SHA256_DIGEST_LENGTH) == 0;
}

static bool starts_with(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- hash table: chained, doubling at two entries a bucket ---- */

static size_t bucket_of(const struct table *t, const char *key)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for(; *key; key++){
		h ^= (unsigned char)*key;
		h *= 1099511628211ULL;
	}
	return (size_t)(h % t->size);
}

static bool table_init(struct table *t)
{
	t->size = 4096;
	t->count = 0;
	t->buckets = calloc(t->size, sizeof(struct entry *));
	return t->buckets != NULL;
}

static struct entry *table_find(const struct table *t, const char *key)
{
	struct entry *e;
	for(e = t->buckets[bucket_of(t, key)]; e; e = e->next){
		if(!strcmp(e->key, key)) return e;
	}
	return NULL;
}

static void table_grow(struct table *t)
{
	struct entry **old = t->buckets;
	size_t old_size = t->size, i;
	struct entry **grown = calloc(old_size * 2, sizeof(struct entry *));
	if(grown == NULL) return; /* stay at this size: slower, still correct */
	t->buckets = grown;
	t->size = old_size * 2;
	for(i = 0; i < old_size; i++){
		struct entry *e = old[i], *next;
		for(; e; e = next){
			size_t b = bucket_of(t, e->key);
			next = e->next;
			e->next = t->buckets[b];
			t->buckets[b] = e;
		}
	}
	free(old);
}

/* Finds or adds the entry for key; NULL when out of memory. */
static struct entry *table_put(struct table *t, const char *key)
{
	struct entry *e = table_find(t, key);
	size_t b;
	if(e) return e;
	if(t->count >= t->size * 2) table_grow(t);
	e = calloc(1, sizeof(struct entry));
	if(e == NULL) return NULL;
	snprintf(e->key, sizeof(e->key), "%s", key);
	b = bucket_of(t, key);
	e->next = t->buckets[b];
	t->buckets[b] = e;
	t->count++;
	return e;
}

static bool table_remove(struct table *t, const char *key)
{
	struct entry **link = &t->buckets[bucket_of(t, key)];
	for(; *link; link = &(*link)->next){
		if(!strcmp((*link)->key, key)){
			struct entry *gone = *link;
			*link = gone->next;
			free(gone);
			t->count--;
			return true;
		}
	}
	return false;
}

static void table_free(struct table *t)
{
	size_t i;
	if(t->buckets == NULL) return;
	for(i = 0; i < t->size; i++){
		struct entry *e = t->buckets[i], *next;
		for(; e; e = next){
			next = e->next;
			free(e);
		}
	}
	free(t->buckets);
	t->buckets = NULL;
}

/* ---- commands (from the control topic and from the journal) ---- */

static void kick_claim(const char *serial)
{
	char id[sizeof("claim-") + SERIAL_LEN];
	snprintf(id, sizeof(id), "claim-%s", serial);
	mosquitto_kick_client_by_clientid(id, false);
}

/* Removes a batch's claims (or every expired claim when batch is NULL), disconnecting them when live. */
static size_t remove_claims(const char *batch, time_t expired_by, bool live)
{
	size_t i, removed = 0;
	for(i = 0; i < claims.size; i++){
		struct entry **link = &claims.buckets[i];
		while(*link){
			struct entry *e = *link;
			bool gone = batch ? !strcmp(e->batch, batch) : e->expires <= expired_by;
			if(gone){
				*link = e->next;
				if(live) kick_claim(e->key);
				free(e);
				claims.count--;
				removed++;
			}else{
				link = &e->next;
			}
		}
	}
	return removed;
}

/*
 * Applies one command (without its correlation token). Returns NULL on success or the reason it
 * was refused. `live` is false while the journal is replayed: nobody is connected to kick.
 */
static const char *apply(char *line, bool live)
{
	char *argv[6] = {0};
	int argc = 0;
	char *save = NULL, *word;
	for(word = strtok_r(line, " ", &save); word && argc < 6; word = strtok_r(NULL, " ", &save)) argv[argc++] = word;
	if(argc == 0) return "empty command";

	if(!strcmp(argv[0], "node-set")){
		struct entry *e;
		unsigned char hash[SHA256_DIGEST_LENGTH];
		if(argc != 3 || !is_serial(argv[1]) || !parse_hash(argv[2], hash)) return "usage: node-set <serial> <sha256-hex>";
		e = table_put(&nodes, argv[1]);
		if(e == NULL) return "out of memory";
		memcpy(e->hash, hash, sizeof(hash));
		return NULL;
	}
	if(!strcmp(argv[0], "node-del")){
		if(argc != 2 || !is_serial(argv[1])) return "usage: node-del <serial>";
		table_remove(&nodes, argv[1]);
		if(live) mosquitto_kick_client_by_clientid(argv[1], true);
		return NULL;
	}
	if(!strcmp(argv[0], "claim-set")){
		struct entry *e;
		unsigned char hash[SHA256_DIGEST_LENGTH];
		char *end = NULL;
		long long expires;
		if(argc != 5 || !is_serial(argv[1]) || !is_batch(argv[2]) || !parse_hash(argv[3], hash)) return "usage: claim-set <serial> <batch> <sha256-hex> <expires-unix-s>";
		expires = strtoll(argv[4], &end, 10);
		if(end == argv[4] || *end != '\0' || expires <= 0) return "expires must be a unix time in seconds";
		e = table_put(&claims, argv[1]);
		if(e == NULL) return "out of memory";
		memcpy(e->hash, hash, sizeof(hash));
		snprintf(e->batch, sizeof(e->batch), "%s", argv[2]);
		e->expires = (time_t)expires;
		return NULL;
	}
	if(!strcmp(argv[0], "claim-del")){
		if(argc != 2 || !is_serial(argv[1])) return "usage: claim-del <serial>";
		table_remove(&claims, argv[1]);
		if(live) kick_claim(argv[1]);
		return NULL;
	}
	if(!strcmp(argv[0], "claim-del-batch")){
		if(argc != 2 || !is_batch(argv[1])) return "usage: claim-del-batch <batch>";
		remove_claims(argv[1], 0, live);
		return NULL;
	}
	return "unknown command";
}

static void journal_append(const char *command)
{
	if(journal == NULL) return;
	fputs(command, journal);
	fputc('\n', journal);
}

/* A node logged in as itself: its claim is spent (the serial's answer reached it). */
static void retire_claim(const char *serial)
{
	char line[64];
	if(!table_find(&claims, serial)) return;
	snprintf(line, sizeof(line), "claim-del %s", serial);
	table_remove(&claims, serial);
	journal_append(line);
	if(journal) fflush(journal);
}

/* Replays the journal, then writes the state back as a compact journal (expired claims dropped). */
static int journal_open(void)
{
	FILE *in = fopen(journal_path, "r");
	char *line = NULL, *tmp_path;
	size_t cap = 0;
	ssize_t len;
	size_t i;
	FILE *out;
	time_t now = time(NULL);

	if(in){
		while((len = getline(&line, &cap, in)) > 0){
			while(len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
			if(len > 0 && apply(line, false)){
				mosquitto_log_printf(MOSQ_LOG_WARNING, "shouwang_auth: skipped a malformed journal line");
			}
		}
		free(line);
		fclose(in);
	}
	tmp_path = malloc(strlen(journal_path) + 5);
	if(tmp_path == NULL) return MOSQ_ERR_NOMEM;
	sprintf(tmp_path, "%s.new", journal_path);
	out = fopen(tmp_path, "w");
	if(out == NULL){
		mosquitto_log_printf(MOSQ_LOG_ERR, "shouwang_auth: cannot write %s", tmp_path);
		free(tmp_path);
		return MOSQ_ERR_UNKNOWN;
	}
	for(i = 0; i < nodes.size; i++){
		struct entry *e;
		for(e = nodes.buckets[i]; e; e = e->next){
			char hex[SHA256_DIGEST_LENGTH * 2 + 1];
			format_hash(e->hash, hex);
			fprintf(out, "node-set %s %s\n", e->key, hex);
		}
	}
	remove_claims(NULL, now, false); /* at start nobody is connected yet */
	for(i = 0; i < claims.size; i++){
		struct entry *e;
		for(e = claims.buckets[i]; e; e = e->next){
			char hex[SHA256_DIGEST_LENGTH * 2 + 1];
			format_hash(e->hash, hex);
			fprintf(out, "claim-set %s %s %s %lld\n", e->key, e->batch, hex, (long long)e->expires);
		}
	}
	if(fclose(out) != 0 || rename(tmp_path, journal_path) != 0){
		mosquitto_log_printf(MOSQ_LOG_ERR, "shouwang_auth: cannot replace %s", journal_path);
		free(tmp_path);
		return MOSQ_ERR_UNKNOWN;
	}
	free(tmp_path);
	journal = fopen(journal_path, "a");
	if(journal == NULL) return MOSQ_ERR_UNKNOWN;
	mosquitto_log_printf(MOSQ_LOG_NOTICE, "shouwang_auth: %lu node and %lu claim identities", (unsigned long)nodes.count, (unsigned long)claims.count);
	return MOSQ_ERR_SUCCESS;
}

/* ---- broker callbacks ---- */

static int on_basic_auth(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_basic_auth *ed = event_data;
	const char *username = ed->username;
	const char *id = mosquitto_client_id(ed->client);
	(void)event;
	(void)userdata;

	if(is_serial(username)){
		struct entry *e = table_find(&nodes, username);
		if(id == NULL || strcmp(id, username) != 0) return MOSQ_ERR_AUTH;
		if(e == NULL || !password_matches(ed->password, e->hash)) return MOSQ_ERR_AUTH;
		retire_claim(username);
		return MOSQ_ERR_SUCCESS;
	}
	if(starts_with(username, "claim-")){
		struct entry *e;
		if(!starts_with(id, "claim-") || !is_serial(id + 6)) return MOSQ_ERR_AUTH;
		e = table_find(&claims, id + 6);
		if(e == NULL || strcmp(e->batch, username + 6) != 0) return MOSQ_ERR_AUTH;
		if(e->expires <= time(NULL)) return MOSQ_ERR_AUTH;
		if(!password_matches(ed->password, e->hash)) return MOSQ_ERR_AUTH;
		return MOSQ_ERR_SUCCESS;
	}
	/* Any other account: a node's or a claim's id is never theirs, nor another account's sw- id. */
	if(id == NULL || is_serial(id) || starts_with(id, "claim-")) return MOSQ_ERR_AUTH;
	if(starts_with(id, "sw-")){
		size_t ulen = username ? strlen(username) : 0;
		if(ulen == 0 || strncmp(id, username, ulen) != 0 || id[ulen] != '-') return MOSQ_ERR_AUTH;
	}
	return MOSQ_ERR_PLUGIN_DEFER;
}

/* `topic` equals prefix + rest exactly. */
static bool is_exactly(const char *topic, const char *prefix, const char *rest)
{
	size_t plen = strlen(prefix);
	return strncmp(topic, prefix, plen) == 0 && strcmp(topic + plen, rest) == 0;
}

/* `topic` is prefix + "/cmd" or lies under prefix + "/cmd/". */
static bool in_cmd_tree(const char *topic, const char *prefix)
{
	size_t plen = strlen(prefix);
	if(strncmp(topic, prefix, plen) != 0) return false;
	return !strcmp(topic + plen, "/cmd") || !strncmp(topic + plen, "/cmd/", 5);
}

static int on_acl_check(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_acl_check *ed = event_data;
	const char *username = mosquitto_client_username(ed->client);
	const char *id = mosquitto_client_id(ed->client);
	char prefix[128];
	(void)event;
	(void)userdata;

	if(is_serial(username)){
		snprintf(prefix, sizeof(prefix), "sw/v1/node/%s", username);
		switch(ed->access){
			case MOSQ_ACL_WRITE:
				if(starts_with(ed->topic, prefix) && ed->topic[strlen(prefix)] == '/' && !in_cmd_tree(ed->topic, prefix)) return MOSQ_ERR_SUCCESS;
				return MOSQ_ERR_ACL_DENIED;
			case MOSQ_ACL_SUBSCRIBE:
			case MOSQ_ACL_READ:
				return in_cmd_tree(ed->topic, prefix) ? MOSQ_ERR_SUCCESS : MOSQ_ERR_ACL_DENIED;
			case MOSQ_ACL_UNSUBSCRIBE:
				return MOSQ_ERR_SUCCESS;
			default:
				return MOSQ_ERR_ACL_DENIED;
		}
	}
	if(starts_with(username, "claim-")){
		/* Authenticated above: id is claim-<serial> of a serial this batch was made for. */
		if(!starts_with(id, "claim-")) return MOSQ_ERR_ACL_DENIED;
		snprintf(prefix, sizeof(prefix), "sw/v1/claim/%s/%s", username + 6, id + 6);
		switch(ed->access){
			case MOSQ_ACL_WRITE:
				return is_exactly(ed->topic, prefix, "/req") ? MOSQ_ERR_SUCCESS : MOSQ_ERR_ACL_DENIED;
			case MOSQ_ACL_SUBSCRIBE:
			case MOSQ_ACL_READ:
				return is_exactly(ed->topic, prefix, "/resp") ? MOSQ_ERR_SUCCESS : MOSQ_ERR_ACL_DENIED;
			case MOSQ_ACL_UNSUBSCRIBE:
				return MOSQ_ERR_SUCCESS;
			default:
				return MOSQ_ERR_ACL_DENIED;
		}
	}
	return MOSQ_ERR_PLUGIN_DEFER;
}

static int on_control(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_control *ed = event_data;
	char *text, *save = NULL, *line, *reply;
	size_t reply_len = 0, reply_cap;
	(void)event;
	(void)userdata;

	text = malloc(ed->payloadlen + 1);
	reply_cap = ed->payloadlen + 64;
	reply = mosquitto_malloc(reply_cap);
	if(text == NULL || reply == NULL){
		free(text);
		mosquitto_free(reply);
		return MOSQ_ERR_NOMEM;
	}
	memcpy(text, ed->payload, ed->payloadlen);
	text[ed->payloadlen] = '\0';
	reply[0] = '\0';

	for(line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)){
		char *space = strchr(line, ' '), *command;
		const char *error;
		char corr[65];
		size_t need;
		if(space == NULL || space - line > 64) continue; /* no correlation token: nobody to answer */
		snprintf(corr, sizeof(corr), "%.*s", (int)(space - line), line);
		command = space + 1;
		{
			/* apply() splits its copy; the journal gets the line as sent. */
			char *copy = strdup(command);
			if(copy == NULL){
				error = "out of memory";
			}else{
				error = apply(copy, true);
				if(error == NULL) journal_append(command);
				free(copy);
			}
		}
		need = strlen(corr) + (error ? strlen(error) + 8 : 4) + 2;
		if(reply_len + need >= reply_cap){
			char *grown;
			reply_cap = (reply_len + need) * 2;
			grown = mosquitto_realloc(reply, reply_cap);
			if(grown == NULL) break;
			reply = grown;
		}
		reply_len += (size_t)snprintf(reply + reply_len, reply_cap - reply_len, error ? "%s error %s\n" : "%s ok\n", corr, error ? error : "");
	}
	if(journal) fflush(journal);
	free(text);
	return mosquitto_broker_publish(NULL, RESPONSE_TOPIC, (int)reply_len, reply, 0, false, NULL);
}

/* Expired claims are removed (and disconnected) within SWEEP_EVERY_S of their expiry. */
static int on_tick(int event, void *event_data, void *userdata)
{
	time_t now = time(NULL);
	(void)event;
	(void)event_data;
	(void)userdata;
	if(now - last_sweep < SWEEP_EVERY_S) return MOSQ_ERR_SUCCESS;
	last_sweep = now;
	if(remove_claims(NULL, now, true) > 0 && journal){
		/* The journal keeps them until the next start's compaction drops them as expired. */
		fflush(journal);
	}
	return MOSQ_ERR_SUCCESS;
}

int mosquitto_plugin_version(int supported_version_count, const int *supported_versions)
{
	int i;
	for(i = 0; i < supported_version_count; i++){
		if(supported_versions[i] == 5) return 5;
	}
	return -1;
}

int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **user_data, struct mosquitto_opt *opts, int opt_count)
{
	int i, rc;
	(void)user_data;
	plugin_id = identifier;
	for(i = 0; i < opt_count; i++){
		if(!strcmp(opts[i].key, "journal")) journal_path = strdup(opts[i].value);
	}
	if(journal_path == NULL){
		mosquitto_log_printf(MOSQ_LOG_ERR, "shouwang_auth: set plugin_opt_journal to the file that keeps device identities");
		return MOSQ_ERR_INVAL;
	}
	if(!table_init(&nodes) || !table_init(&claims)) return MOSQ_ERR_NOMEM;
	rc = journal_open();
	if(rc) return rc;
	last_sweep = time(NULL);
	if(mosquitto_callback_register(plugin_id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL, NULL)
			|| mosquitto_callback_register(plugin_id, MOSQ_EVT_ACL_CHECK, on_acl_check, NULL, NULL)
			|| mosquitto_callback_register(plugin_id, MOSQ_EVT_CONTROL, on_control, CONTROL_TOPIC, NULL)
			|| mosquitto_callback_register(plugin_id, MOSQ_EVT_TICK, on_tick, NULL, NULL)){
		return MOSQ_ERR_UNKNOWN;
	}
	return MOSQ_ERR_SUCCESS;
}

int mosquitto_plugin_cleanup(void *user_data, struct mosquitto_opt *opts, int opt_count)
{
	(void)user_data;
	(void)opts;
	(void)opt_count;
	mosquitto_callback_unregister(plugin_id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL);
	mosquitto_callback_unregister(plugin_id, MOSQ_EVT_ACL_CHECK, on_acl_check, NULL);
	mosquitto_callback_unregister(plugin_id, MOSQ_EVT_CONTROL, on_control, CONTROL_TOPIC);
	mosquitto_callback_unregister(plugin_id, MOSQ_EVT_TICK, on_tick, NULL);
	if(journal) fclose(journal);
	journal = NULL;
	table_free(&nodes);
	table_free(&claims);
	free(journal_path);
	journal_path = NULL;
	return MOSQ_ERR_SUCCESS;
}
