/* SPDX-License-Identifier: ISC */
/* What integration tests share: the real nudged binary, run by PID, with deadlines. */
#ifndef NUDGED_TEST_HARNESS_H
#define NUDGED_TEST_HARNESS_H

#include <stddef.h>
#include <sys/types.h>

struct harness_proc {
	pid_t	 pid;
	int	 out_fd;	/* stdout and stderr of the child, merged */
	char	*out;		/* everything read so far */
	size_t	 out_len;
};

const char *harness_bin(void);
char	*harness_tmpdir(void);
int	 harness_rmdir(const char *);
void	 harness_write(const char *path, const char *text);
char	*harness_read(const char *path);
int	 harness_file_contains(const char *path, const char *needle);
char	*harness_replace(char *text, const char *from, const char *to);
char	*harness_format(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
int	 harness_free_port(void);

int	 harness_run(const char *const argv[], char **output);
int	 harness_spawn(struct harness_proc *, const char *const argv[]);
int	 harness_wait_output(struct harness_proc *, const char *needle,
	    int timeout_ms);
int	 harness_count(const struct harness_proc *, const char *needle);
void	 harness_drain(struct harness_proc *);
int	 harness_wait_count(struct harness_proc *, const char *needle, int n,
	    int timeout_ms);
int	 harness_wait_exit(struct harness_proc *, int timeout_ms);
void	 harness_kill(struct harness_proc *);
void	 harness_serve_start(struct harness_proc *, const char *config);
void	 harness_serve_stop(struct harness_proc *);
long long harness_db_int(const char *state_dir, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int	 harness_http_get(int port, const char *path, char **body);
int	 harness_http_get_headers(int port, const char *path,
	    const char *const *headers, char **body);
int	 harness_http_post(int port, const char *path, const char *const *headers,
	    const char *body, size_t len, char **response);
int	 harness_post_url(const char *url, const char *cafile,
	    const char *const *headers, const char *body, size_t len,
	    char **response);
char	**harness_slack_headers(const char *secret, long long ts,
	    const char *type, const char *body);
void	 harness_headers_free(char **);
int	 harness_http_request(int port, const char *method, const char *path,
	    const char *const *headers, const char *body, size_t len,
	    char **response);
char	*harness_form_encode(const char *);

#endif
