/*
 * The master hands a FastCGI connection that has a request waiting to an
 * idle worker, and takes it back when the answer is written (API of
 * dispatch.c and worker.c). Messages go over a SOCK_SEQPACKET pair per
 * worker; the connection's descriptor travels with SCM_RIGHTS.
 */
#ifndef HANDOFF_H
#define HANDOFF_H

/* Master → worker: serve the request on the attached descriptor. The id
 * is the master's own descriptor number, echoed back. */
struct handoff {
	int	 id;
};

/* Worker → master: done with connection "id". */
struct handback {
	int	 id;
	int	 keep;		/* 1: keep it open for the next request */
};

/* Sends "msg" of "len" bytes with descriptor "fd" (-1: none). 0 or -1. */
int	handoff_send(int sock, const void *msg, size_t len, int fd);

/* Receives a message of exactly "len" bytes and the descriptor that came
 * with it into *fd (-1 if none). Returns 1, 0 on end of file, -1 (errno
 * EINTR when a signal ended the wait). */
int	handoff_recv(int sock, void *msg, size_t len, int *fd);

#endif
