/* SPDX-License-Identifier: ISC */
/*
 * The hardened daemon still works. This machine has no systemd as PID 1, so
 * `systemd-run` cannot start the unit; instead this test applies the unit's
 * restrictions itself (as far as a root process can without systemd) and runs
 * `nudged send` and `nudged serve` under them: a nudge is posted, a signed
 * answer is stored, a reload and a clean stop work.
 *
 * Applied here, as the unit asks: SystemCallFilter=@system-service without
 * @privileged and @resources (the lists come from `systemd-analyze
 * syscall-filter`, so they are systemd's own) with SystemCallErrorNumber=EPERM
 * and SystemCallArchitectures=native, RestrictAddressFamilies,
 * MemoryDenyWriteExecute, RestrictNamespaces, LockPersonality (all seccomp,
 * through libseccomp), CapabilityBoundingSet= empty, NoNewPrivileges, a
 * DynamicUser-like unprivileged uid, UMask=0077, LimitNOFILE=4096,
 * PrivateMounts, PrivateIPC, ProtectHostname (namespaces), PrivateTmp,
 * PrivateDevices, ProtectHome, ProtectSystem=strict (read-only mounts but the
 * state folder), and, where the kernel allows, ProtectProc=invisible with
 * ProcSubset=pid and PrivateUsers. The child prints one line per measure,
 * "sandbox: applied ..." or "sandbox: not applied ...: why", which this test
 * echoes. Not applied at all, since they need systemd itself:
 * RestrictSUIDSGID=, KeyringMode=, RemoveIPC=, DevicePolicy= (a cgroup
 * device filter; the private /dev stands in for it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>

#include <cjson/cJSON.h>

#include "harness.h"
#include "sink.h"

#define ANALYZE		"/usr/bin/systemd-analyze"
#define SANDBOX_UID	61184	/* the first uid DynamicUser= hands out */
#define SECRET		"8f742231b10e8888abcd99yyyzzz85a5"
#define MAX_NAMES	1024

struct world {
	char		*dir;
	char		*bin;		/* the binary, copied where the unit keeps one */
	char		*config;
	char		*syscalls;
	int		 port;
	struct sink	 sink;
};

static void	copy_tree(const char *, const char *, mode_t);
static void	sandbox_note(const char *, int);
static int	sandbox_write(const char *, const char *);
static void	sandbox_drop_bounding_set(void);
static int	sandbox_mount_flags(const char *);
static void	sandbox_fail(const char *);
static void	sandbox_mounts(const char *);
static void	sandbox_devices(void);
static void	sandbox_readonly(const char *);
static void	sandbox_user(const char *);
static void	sandbox_seccomp(const char *);
static int	sandbox_main(int, char **);

/* One line about a measure: applied, or not and why (errno). */
static void
sandbox_note(const char *what, int ok)
{
	if (ok)
		fprintf(stderr, "sandbox: applied %s\n", what);
	else
		fprintf(stderr, "sandbox: not applied %s: %s\n", what,
		    strerror(errno));
}

/* CapabilityBoundingSet= empty. */
static void
sandbox_drop_bounding_set(void)
{
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 && errno != EINVAL)
			sandbox_fail("CapabilityBoundingSet=");
	}
}

/* Write text to a /proc file in one call; 0 or -1. */
static int
sandbox_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY), rc;

	if (fd == -1)
		return -1;
	rc = write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
	close(fd);
	return rc;
}

/* The per-mount flags of a mountinfo options field, kept on a remount. */
static int
sandbox_mount_flags(const char *options)
{
	static const struct { const char *name; int flag; } known[] = {
		{ "nosuid", MS_NOSUID }, { "nodev", MS_NODEV },
		{ "noexec", MS_NOEXEC }, { "noatime", MS_NOATIME },
		{ "nodiratime", MS_NODIRATIME }, { "relatime", MS_RELATIME },
	};
	char *copy = strdup(options), *word, *save;
	int flags = 0;

	for (word = strtok_r(copy, ",", &save); word != NULL;
	    word = strtok_r(NULL, ",", &save)) {
		for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
			if (strcmp(word, known[i].name) == 0)
				flags |= known[i].flag;
		}
	}
	free(copy);
	return flags;
}

/* A measure the test cannot do without: stop before running nudged. */
static void
sandbox_fail(const char *what)
{
	fprintf(stderr, "sandbox: failed %s: %s\n", what, strerror(errno));
	_exit(125);
}

/*
 * PrivateMounts, PrivateIPC, ProtectHostname, PrivateTmp, ProtectHome,
 * ProtectProc=invisible and ProcSubset=pid; dir (config and state) stays.
 */
static void
sandbox_mounts(const char *dir)
{
	static const char *const homes[] = { "/home", "/root", "/run/user" };
	char *fd_path;
	int fd;

	if (unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS) == -1)
		sandbox_fail("PrivateMounts, PrivateIPC, ProtectHostname");
	sandbox_note("PrivateMounts, PrivateIPC, ProtectHostname", 1);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		sandbox_fail("private mount propagation");
	if ((fd = open(dir, O_PATH | O_DIRECTORY)) == -1)
		sandbox_fail(dir);
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")
	    == -1 || mount("tmpfs", "/var/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
	    "mode=1777") == -1)
		sandbox_fail("PrivateTmp");
	sandbox_note("PrivateTmp", 1);
	/* The test's folder is under /tmp: put it back, at the same path. */
	fd_path = harness_format("/proc/self/fd/%d", fd);
	if (mkdir(dir, 0700) == -1 || mount(fd_path, dir, NULL, MS_BIND, NULL)
	    == -1)
		sandbox_fail("the test folder inside the private /tmp");
	free(fd_path);
	close(fd);
	for (size_t i = 0; i < sizeof homes / sizeof homes[0]; i++) {
		if (access(homes[i], F_OK) == 0 && mount("tmpfs", homes[i],
		    "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		    "mode=000") == -1)
			sandbox_fail("ProtectHome");
	}
	sandbox_note("ProtectHome", 1);
	sandbox_note("ProtectProc=invisible, ProcSubset=pid", mount("proc",
	    "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	    "hidepid=invisible,subset=pid") == 0);
	sandbox_devices();
}

/* PrivateDevices: a /dev with only null, zero, full, random, urandom, tty. */
static void
sandbox_devices(void)
{
	static const char *const names[] = { "null", "zero", "full", "random",
		"urandom", "tty" };
	int fds[6];
	char *from, *to;

	for (size_t i = 0; i < 6; i++) {
		to = harness_format("/dev/%s", names[i]);
		if ((fds[i] = open(to, O_PATH)) == -1)
			sandbox_fail(to);
		free(to);
	}
	if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755")
	    == -1)
		sandbox_fail("PrivateDevices");
	for (size_t i = 0; i < 6; i++) {
		from = harness_format("/proc/self/fd/%d", fds[i]);
		to = harness_format("/dev/%s", names[i]);
		close(open(to, O_CREAT | O_WRONLY, 0666));
		if (mount(from, to, NULL, MS_BIND, NULL) == -1)
			sandbox_fail("PrivateDevices");
		close(fds[i]);
		free(from);
		free(to);
	}
	sandbox_note("PrivateDevices", 1);
}

/* ProtectSystem=strict: every mount read-only but dir, /tmp, /dev, /proc. */
static void
sandbox_readonly(const char *dir)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[4096], mp[4096], options[1024];
	int done = 0, failed = 0;

	if (f == NULL)
		sandbox_fail("/proc/self/mountinfo");
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "%*s %*s %*s %*s %4095s %1023s", mp, options) !=
		    2 || strcmp(mp, dir) == 0 || strncmp(mp, "/tmp", 4) == 0 ||
		    strncmp(mp, "/var/tmp", 8) == 0 || strncmp(mp, "/dev", 4) == 0 ||
		    strncmp(mp, "/proc", 5) == 0 || strchr(mp, '\\') != NULL)
			continue;
		if (mount(NULL, mp, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY |
		    MS_NOSUID | sandbox_mount_flags(options), NULL) == 0)
			done++;
		else
			failed++;
	}
	fclose(f);
	if (failed > 0)
		fprintf(stderr, "sandbox: not applied ProtectSystem=strict on %d "
		    "of %d mounts\n", failed, done + failed);
	else
		sandbox_note("ProtectSystem=strict", 1);
	if (access("/usr/bin", W_OK) == 0)
		sandbox_fail("ProtectSystem=strict (/usr is writable)");
}

/*
 * CapabilityBoundingSet= empty, DynamicUser (an unprivileged uid owning
 * dir), UMask, LimitNOFILE, NoNewPrivileges, and PrivateUsers if allowed.
 */
static void
sandbox_user(const char *dir)
{
	struct rlimit rl = { 4096, 4096 };
	char *state = harness_format("%s/state", dir), *map;
	int ok;

	if (chown(dir, SANDBOX_UID, SANDBOX_UID) == -1 ||
	    (mkdir(state, 0700) == -1 && errno != EEXIST) ||
	    chown(state, SANDBOX_UID, SANDBOX_UID) == -1)
		sandbox_fail("DynamicUser: the state folder's owner");
	free(state);
	sandbox_drop_bounding_set();
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 ||
	    setgroups(0, NULL) == -1 ||
	    setresgid(SANDBOX_UID, SANDBOX_UID, SANDBOX_UID) == -1 ||
	    setresuid(SANDBOX_UID, SANDBOX_UID, SANDBOX_UID) == -1)
		sandbox_fail("DynamicUser");
	sandbox_note("CapabilityBoundingSet= (empty), DynamicUser (uid 61184)",
	    1);
	umask(0077);
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		sandbox_fail("LimitNOFILE");
	sandbox_note("UMask=0077, LimitNOFILE=4096", 1);
	/*
	 * PrivateUsers: a user namespace that maps this one uid and gid only.
	 * Changing uid made the process undumpable, which hides its own
	 * /proc/self/uid_map from it; the new namespace starts with a full
	 * bounding set, so it is emptied again.
	 */
	map = harness_format("%d %d 1\n", SANDBOX_UID, SANDBOX_UID);
	ok = prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == 0 &&
	    unshare(CLONE_NEWUSER) == 0 &&
	    sandbox_write("/proc/self/uid_map", map) == 0 &&
	    sandbox_write("/proc/self/setgroups", "deny") == 0 &&
	    sandbox_write("/proc/self/gid_map", map) == 0;
	free(map);
	sandbox_note("PrivateUsers", ok);
	if (ok)
		sandbox_drop_bounding_set();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		sandbox_fail("NoNewPrivileges");
	sandbox_note("NoNewPrivileges", 1);
}

/*
 * The unit's seccomp filter: the allowed names from the file, EPERM for the
 * rest, and argument rules for sockets, W+X memory, namespaces, personality.
 */
static void
sandbox_seccomp(const char *path)
{
	static const char *const ruled[] = { "socket", "mmap", "mprotect",
		"pkey_mprotect", "clone", "clone3", "unshare", "setns",
		"personality" };
	const uint64_t wx = PROT_WRITE | PROT_EXEC;
	const uint64_t newns = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
	    CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	FILE *f = fopen(path, "r");
	char name[128];
	int nr, skip, rc = 0;

	if (ctx == NULL || f == NULL)
		sandbox_fail("SystemCallFilter=");
	while (fscanf(f, "%127s", name) == 1) {
		skip = 0;
		for (size_t i = 0; i < sizeof ruled / sizeof ruled[0]; i++)
			skip |= strcmp(name, ruled[i]) == 0;
		if (skip || (nr = seccomp_syscall_resolve_name(name)) ==
		    __NR_SCMP_ERROR)
			continue;
		rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	}
	fclose(f);
	/* RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6. */
	for (int af = 0; af < AF_MAX; af++)
		rc |= seccomp_rule_add(ctx, af == AF_UNIX || af == AF_INET ||
		    af == AF_INET6 ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(EAFNOSUPPORT),
		    SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, (uint64_t)af));
	/* MemoryDenyWriteExecute: never writable and executable at once. */
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, wx, 0));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, wx, PROT_WRITE));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, wx, PROT_EXEC));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(pkey_mprotect), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	/* RestrictNamespaces: threads yes, namespaces no; clone3 as systemd: ENOSYS. */
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
	    SCMP_A0(SCMP_CMP_MASKED_EQ, newns, 0));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	/* LockPersonality: only the default personality, or asking for it. */
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(personality), 1,
	    SCMP_A0(SCMP_CMP_EQ, PER_LINUX));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(personality), 1,
	    SCMP_A0(SCMP_CMP_EQ, 0xffffffffu));
	if (rc != 0 || seccomp_load(ctx) != 0)
		sandbox_fail("SystemCallFilter=");
	seccomp_release(ctx);
	sandbox_note("SystemCallFilter=@system-service ~@privileged @resources, "
	    "SystemCallArchitectures=native, RestrictAddressFamilies, "
	    "MemoryDenyWriteExecute, RestrictNamespaces, LockPersonality", 1);
}

/* argv: self --sandbox DIR SYSCALLS NUDGED ARGS...: restrict, then run nudged. */
static int
sandbox_main(int argc, char **argv)
{
	if (argc < 5)
		return 2;
	sandbox_mounts(argv[2]);
	sandbox_readonly(argv[2]);
	sandbox_user(argv[2]);
	sandbox_seccomp(argv[3]);
	/*
	 * LeakSanitizer stops the world with ptrace, which the unit's filter
	 * refuses (it is in @debug, not @system-service): the sanitizer build
	 * keeps its other checks here, and the other tests check for leaks.
	 */
	setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
	execv(argv[4], argv + 4);
	sandbox_fail(argv[4]);
	return 125;
}

/* Each name of a systemd syscall group, groups expanded, into out. */
static void
expand_group(cJSON *groups, const char *name, cJSON *out)
{
	const cJSON *member;

	if (name[0] != '@') {
		if (!cJSON_HasObjectItem(out, name))
			cJSON_AddTrueToObject(out, name);
		return;
	}
	cJSON_ArrayForEach(member, cJSON_GetObjectItemCaseSensitive(groups, name))
		expand_group(groups, member->valuestring, out);
}

/*
 * The unit's SystemCallFilter= as a file of names: @system-service without
 * @privileged and @resources, from `systemd-analyze syscall-filter`.
 */
static char *
write_syscalls(const char *dir)
{
	cJSON *groups = cJSON_CreateObject(), *group = NULL, *allow, *deny;
	const cJSON *name;
	char *out, *line, *save, *path = harness_format("%s/syscalls", dir);
	FILE *f;

	if (access(ANALYZE, X_OK) != 0)
		fail_msg("%s is missing: make check-deps installs systemd", ANALYZE);
	assert_int_equal(harness_run((const char *[]){ ANALYZE,
	    "syscall-filter", NULL }, &out), 0);
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '@')
			group = cJSON_AddArrayToObject(groups, line);
		else if (line[0] != ' ')
			group = NULL;	/* "# Unlisted System Calls" and the like */
		else if (group != NULL && strstr(line, "# ") == NULL)
			cJSON_AddItemToArray(group, cJSON_CreateString(line +
			    strspn(line, " ")));
	}
	free(out);
	allow = cJSON_CreateObject();
	deny = cJSON_CreateObject();
	expand_group(groups, "@system-service", allow);
	expand_group(groups, "@privileged", deny);
	expand_group(groups, "@resources", deny);
	assert_true(cJSON_GetArraySize(allow) > 200);
	assert_true(cJSON_HasObjectItem(deny, "setuid"));
	assert_true(cJSON_HasObjectItem(deny, "setrlimit"));
	assert_non_null(f = fopen(path, "w"));
	cJSON_ArrayForEach(name, allow) {
		if (!cJSON_HasObjectItem(deny, name->string))
			fprintf(f, "%s\n", name->string);
	}
	fclose(f);
	cJSON_Delete(allow);
	cJSON_Delete(deny);
	cJSON_Delete(groups);
	return path;
}

/*
 * Copy a file, or a folder and everything in it, to dst (files get mode,
 * folders 0755). The sandbox hides /tmp, /home and /root as the unit does,
 * so the binary and the bank go into the test's own folder, which it keeps,
 * wherever the source tree lives.
 */
static void
copy_tree(const char *src, const char *dst, mode_t mode)
{
	struct dirent *e;
	struct stat st;
	char buf[65536], *from, *to;
	ssize_t n;
	int in, out;
	DIR *d;

	assert_int_equal(stat(src, &st), 0);
	if (S_ISDIR(st.st_mode)) {
		assert_true(mkdir(dst, 0755) == 0 || errno == EEXIST);
		assert_non_null(d = opendir(src));
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			from = harness_format("%s/%s", src, e->d_name);
			to = harness_format("%s/%s", dst, e->d_name);
			copy_tree(from, to, mode);
			free(from);
			free(to);
		}
		closedir(d);
		return;
	}
	assert_int_not_equal(in = open(src, O_RDONLY | O_CLOEXEC), -1);
	assert_int_not_equal(out = open(dst, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, mode), -1);
	while ((n = read(in, buf, sizeof buf)) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	assert_int_equal(n, 0);
	close(in);
	close(out);
	chmod(dst, mode);
}

/* A Slack channel posting to the sink, the bank of this tree, a yearly schedule. */
static int
world_setup(void **state)
{
	struct world *w = calloc(1, sizeof *w);
	char *cwd, *log, *text;

	*state = w;
	if (geteuid() != 0)
		return 0;	/* the tests skip, saying why */
	cwd = getcwd(NULL, 0);
	w->dir = harness_tmpdir();
	log = harness_format("%s/sink.log", w->dir);
	if (sink_start(&w->sink, log, 1) != 0)
		return -1;
	w->port = harness_free_port();
	w->config = harness_format("%s/nudged.json", w->dir);
	w->syscalls = write_syscalls(w->dir);
	w->bin = harness_format("%s/nudged", w->dir);
	copy_tree(harness_bin(), w->bin, 0755);
	text = harness_format("%s/prompts", cwd);
	free(log);
	log = harness_format("%s/prompts", w->dir);
	copy_tree(text, log, 0644);
	free(text);
	text = harness_format("{\"state_dir\": \"state\", \"listen\": "
	    "\"127.0.0.1:%d\", \"prompts\": \"%s/prompts\", \"channels\": {"
	    "\"leaders\": {\"platform\": \"slack\", \"webhook\": "
	    "\"http://127.0.0.1:%d/ok/slack\", \"signing_secret\": \"%s\", "
	    "\"slack_channel_id\": \"C0LEADERS\"}}, \"schedules\": [{\"name\": "
	    "\"s-leaders\", \"cron\": \"0 0 1 1 *\", \"channel\": "
	    "\"leaders\"}]}", w->port, w->dir, w->sink.port, SECRET);
	harness_write(w->config, text);
	chmod(w->config, 0644);
	free(text);
	free(log);
	free(cwd);
	return 0;
}

/* Skip, saying why, when the sandbox cannot be built (it takes root). */
static void
need_root(const struct world *w)
{
	if (w->dir == NULL) {
		print_message("it_hardened: skipped: building the sandbox "
		    "(mounts, namespaces, another uid) needs root\n");
		skip();
	}
}

/* Stop the sink, remove the folder. */
static int
world_teardown(void **state)
{
	struct world *w = *state;

	if (w->dir == NULL) {
		free(w);
		return 0;
	}
	sink_stop(&w->sink);
	harness_rmdir(w->dir);
	free(w->dir);
	free(w->bin);
	free(w->config);
	free(w->syscalls);
	free(w);
	return 0;
}

/* Start program with args under the sandbox. */
static void
sandboxed(struct world *w, struct harness_proc *p, const char *program,
    const char *const *args)
{
	const char *argv[16] = { "/proc/self/exe", "--sandbox", w->dir,
		w->syscalls, program };
	size_t n = 5;

	for (size_t i = 0; args[i] != NULL && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (harness_spawn(p, argv) != 0)
		fail_msg("cannot start the sandbox");
}

/* Echo the sandbox's own account of what it applied, once. */
static void
report_sandbox(const char *out)
{
	const char *line = out, *end;

	while ((line = strstr(line, "sandbox: ")) != NULL) {
		end = strchr(line, '\n');
		print_message("%.*s\n", end != NULL ? (int)(end - line) :
		    (int)strlen(line), line);
		line = end != NULL ? end : line + strlen(line);
	}
}

static void
test_send_and_serve_under_the_unit_restrictions(void **state)
{
	struct world *w = *state;
	struct harness_proc p;
	char *at, code[5], *body, **h, *out, *state_dir;
	int rc;

	need_root(w);
	/* A nudge posted from inside (libcurl, its resolver thread, TCP). */
	sandboxed(w, &p, w->bin, (const char *[]){ "send", "-c", w->config, "s-leaders",
	    NULL });
	rc = harness_wait_exit(&p, 30000);
	report_sandbox(p.out);
	if (rc != 0 || (at = strstr(p.out, "(reply code ")) == NULL)
		fail_msg("nudged send under the sandbox exited %d:\n%s", rc, p.out);
	memcpy(code, at + 12, 4);
	code[4] = '\0';
	harness_kill(&p);
	assert_int_equal(sink_count(&w->sink, "/ok/slack"), 1);

	/* The daemon: ready, a signed answer stored, a reload, a clean stop. */
	sandboxed(w, &p, w->bin, (const char *[]){ "serve", "-c", w->config, NULL });
	if (harness_wait_output(&p, "started: config", 15000) != 0)
		fail_msg("no start under the sandbox:\n%s", p.out);
	body = harness_format("token=t&team_id=T1&channel_id=C0LEADERS&"
	    "user_id=U5&user_name=eve&command=%%2Freflect&text=%s+Under+seccomp"
	    "&trigger_id=sandbox-1", code);
	h = harness_slack_headers(SECRET, (long long)time(NULL),
	    "application/x-www-form-urlencoded", body);
	if (harness_http_post(w->port, "/slack/commands", (const char *const *)h,
	    body, strlen(body), &out) != 200)
		fail_msg("answer refused under the sandbox: %s\n%s", out, p.out);
	free(out);
	harness_headers_free(h);
	free(body);
	kill(p.pid, SIGHUP);
	if (harness_wait_output(&p, "reload: ", 10000) != 0 ||
	    strstr(p.out, "applied, 1 schedule") == NULL)
		fail_msg("no reload under the sandbox:\n%s", p.out);
	kill(p.pid, SIGTERM);
	if ((rc = harness_wait_exit(&p, 15000)) != 0)
		fail_msg("nudged serve under the sandbox exited %d:\n%s", rc, p.out);
	harness_kill(&p);
	state_dir = harness_format("%s/state", w->dir);
	assert_int_equal(harness_db_int(state_dir, "SELECT count(*) FROM replies "
	    "WHERE text = 'Under seccomp'"), 1);
	free(state_dir);
}

/* Exit status of program under the sandbox, its output in out. */
static int
sandboxed_run(struct world *w, const char *program, const char *const *args,
    char **out)
{
	struct harness_proc p;
	int rc;

	sandboxed(w, &p, program, args);
	rc = harness_wait_exit(&p, 30000);
	*out = p.out;
	p.out = NULL;
	harness_kill(&p);
	return rc;
}

/* The sandbox bites: what the unit forbids fails in it, and works outside. */
static void
test_sandbox_refuses_what_the_unit_refuses(void **state)
{
	static const char mdwe[] = "import mmap\n"
	    "mmap.mmap(-1, 4096, prot=mmap.PROT_WRITE | mmap.PROT_EXEC)\n";
	struct world *w = *state;
	char *out, *probe;

	need_root(w);
	probe = harness_format("%s/probe", w->dir);
	assert_int_equal(harness_run((const char *[]){ "/usr/bin/python3", "-c",
	    mdwe, NULL }, &out), 0);
	free(out);
	/* MemoryDenyWriteExecute */
	assert_int_not_equal(sandboxed_run(w, "/usr/bin/python3",
	    (const char *[]){ "-c", mdwe, NULL }, &out), 0);
	assert_non_null(strstr(out, "PermissionError"));
	free(out);
	/* RestrictNamespaces */
	assert_int_not_equal(sandboxed_run(w, "/usr/bin/unshare",
	    (const char *[]){ "--user", "true", NULL }, &out), 0);
	free(out);
	/* ProtectSystem=strict, and the state folder stays writable. */
	assert_int_not_equal(sandboxed_run(w, "/usr/bin/touch",
	    (const char *[]){ "/usr/lib/nudged-sandbox-probe", NULL }, &out), 0);
	free(out);
	assert_int_equal(sandboxed_run(w, "/usr/bin/touch",
	    (const char *[]){ probe, NULL }, &out), 0);
	free(out);
	free(probe);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_send_and_serve_under_the_unit_restrictions, world_setup,
		    world_teardown),
		cmocka_unit_test_setup_teardown(
		    test_sandbox_refuses_what_the_unit_refuses, world_setup,
		    world_teardown),
	};

	if (argc > 1 && strcmp(argv[1], "--sandbox") == 0)
		return sandbox_main(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
