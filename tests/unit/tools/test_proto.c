/* SPDX-License-Identifier: MIT */
/* The daemon protocol: ioctl forwarding with copy_from_user / copy_to_user
 * round trips, EFAULT for bad client pointers, management calls, and a
 * server that shuts down cleanly with clients connected. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testsupport.h"
#include "tools/common/client.h"
#include "tools/swsevd/server.h"

struct args {
    uint64_t in_addr, out_addr;
    uint32_t len;
} __attribute__((packed));

/* A fake device: reads struct args at arg, copies len bytes from in_addr,
 * reverses them and writes them to out_addr. */
static int fake_ioctl(void *ctx, const struct proto_ioctl *req, const struct hv_uaccess *ua)
{
    (void)ctx;
    if (req->request != 0x1234)
        return -ENOTTY;
    struct args a;
    if (ua->copy_from_user(ua->ctx, &a, req->arg, sizeof(a)))
        return -EFAULT;
    if (a.len > 4096)
        return -EINVAL;
    uint8_t buf[4096], rev[4096];
    if (ua->copy_from_user(ua->ctx, buf, a.in_addr, a.len))
        return -EFAULT;
    for (uint32_t i = 0; i < a.len; i++)
        rev[i] = buf[a.len - 1 - i];
    if (ua->copy_to_user(ua->ctx, a.out_addr, rev, a.len))
        return -EFAULT;
    return (req->flags & PROTO_F_WRITABLE) ? 1 : 0;
}

static swsev_rc fake_call(void *ctx, uint32_t op, const uint8_t *args, size_t len,
                          const struct hv_uaccess *ua, struct reply *out)
{
    (void)ctx;
    (void)ua;
    if (op != 7)
        return SWSEV_TOOL_ERR(SWSEV_E_UNSUPPORTED);
    reply_put(out, "echo:", 5);
    reply_put(out, args, len);
    return SWSEV_OK;
}

struct fixture {
    struct server *srv;
    pthread_t th;
    char path[108];
};

static void *run(void *p)
{
    server_run(p);
    return NULL;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    snprintf(f->path, sizeof(f->path), "/tmp/swsev-test-proto-%d.sock", (int)getpid());
    struct server_handlers h = {NULL, fake_ioctl, fake_call};
    assert_int_equal(server_start(&f->srv, f->path, &h), 0);
    assert_int_equal(pthread_create(&f->th, NULL, run, f->srv), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    server_stop(f->srv);
    pthread_join(f->th, NULL);
    server_destroy(f->srv);
    assert_int_equal(access(f->path, F_OK), -1); /* socket file removed */
    free(f);
    return 0;
}

static void ioctl_round_trip(void **state)
{
    struct fixture *f = *state;
    int fd = proto_connect(f->path);
    assert_true(fd >= 0);
    uint8_t in[300], out[300];
    for (int i = 0; i < 300; i++)
        in[i] = (uint8_t)i;
    struct args a = {(uintptr_t)in, (uintptr_t)out, sizeof(in)};
    struct proto_ioctl req = {.device = PROTO_DEV_SEV,
                              .flags = PROTO_F_WRITABLE,
                              .request = 0x1234,
                              .arg = (uintptr_t)&a};
    int err = 0;
    assert_int_equal(client_ioctl(fd, &req, &umem_process_ops, &err), 1);
    for (int i = 0; i < 300; i++)
        assert_int_equal(out[i], (uint8_t)(299 - i));
    req.flags = 0;
    assert_int_equal(client_ioctl(fd, &req, &umem_process_ops, &err), 0);
    req.request = 0x99;
    assert_int_equal(client_ioctl(fd, &req, &umem_process_ops, &err), -1);
    assert_int_equal(err, ENOTTY);
    close(fd);
}

static void bad_pointers_are_efault(void **state)
{
    struct fixture *f = *state;
    int fd = proto_connect(f->path);
    assert_true(fd >= 0);
    /* An unmapped page for the client's buffers. */
    uint8_t *hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(hole != MAP_FAILED);
    uint8_t out[16];
    struct args a = {(uintptr_t)hole, (uintptr_t)out, 16};
    struct proto_ioctl req = {.device = PROTO_DEV_SEV, .request = 0x1234, .arg = (uintptr_t)&a};
    int err = 0;
    assert_int_equal(client_ioctl(fd, &req, &umem_process_ops, &err), -1);
    assert_int_equal(err, EFAULT);
    uint8_t in[16] = {1};
    a.in_addr = (uintptr_t)in;
    a.out_addr = (uintptr_t)hole;
    assert_int_equal(client_ioctl(fd, &req, &umem_process_ops, &err), -1);
    assert_int_equal(err, EFAULT);
    req.arg = 0;
    assert_int_equal(client_ioctl(fd, &req, &umem_process_ops, &err), -1);
    assert_int_equal(err, EFAULT);
    /* The connection is still usable after a fault. */
    a.out_addr = (uintptr_t)out;
    req.arg = (uintptr_t)&a;
    assert_int_equal(client_ioctl(fd, &req, &umem_process_ops, &err), 0);
    munmap(hole, 4096);
    close(fd);
}

static void management_call(void **state)
{
    struct fixture *f = *state;
    int fd = proto_connect(f->path);
    void *reply;
    size_t len;
    assert_int_equal(client_call(fd, 7, "abc", 3, &umem_process_ops, &reply, &len), SWSEV_OK);
    assert_int_equal(len, 8);
    assert_memory_equal(reply, "echo:abc", 8);
    free(reply);
    assert_int_equal(client_call(fd, 8, NULL, 0, &umem_process_ops, &reply, &len),
                     SWSEV_TOOL_ERR(SWSEV_E_UNSUPPORTED));
    free(reply);
    close(fd);
}

static void garbage_closes_connection(void **state)
{
    struct fixture *f = *state;
    int fd = proto_connect(f->path);
    assert_true(fd >= 0);
    const char junk[] = "this is not the protocol at all";
    assert_int_equal(proto_write_all(fd, junk, sizeof(junk)), 0);
    char b;
    assert_true(recv(fd, &b, 1, 0) <= 0); /* the daemon hung up (EOF or RST) */
    close(fd);
    /* A header announcing an oversized payload, and an unknown type. */
    fd = proto_connect(f->path);
    struct proto_hdr h = {PROTO_MAGIC, PROTO_VERSION, PROTO_IOCTL, PROTO_MAX_PAYLOAD + 1};
    assert_int_equal(proto_write_all(fd, &h, sizeof(h)), 0);
    assert_true(recv(fd, &b, 1, 0) <= 0);
    close(fd);
    fd = proto_connect(f->path);
    assert_int_equal(proto_send(fd, 99, NULL, 0, NULL, 0), 0);
    assert_true(recv(fd, &b, 1, 0) <= 0);
    close(fd);
    /* A short ioctl request gets EINVAL, not a crash. */
    fd = proto_connect(f->path);
    void *reply = NULL;
    assert_int_equal(proto_send(fd, PROTO_IOCTL, "xx", 2, NULL, 0), 0);
    struct proto_hdr rh;
    assert_int_equal(proto_recv(fd, &rh, &reply, 0), 0);
    assert_int_equal(rh.type, PROTO_IOCTL_DONE);
    struct proto_done d;
    memcpy(&d, reply, sizeof(d));
    assert_int_equal(d.ret, -1);
    assert_int_equal(d.error, EINVAL);
    free(reply);
    close(fd);
}

static void stop_with_idle_clients(void **state)
{
    struct fixture *f = *state;
    int a = proto_connect(f->path), b = proto_connect(f->path);
    assert_true(a >= 0 && b >= 0);
    /* teardown stops the server while both are connected and idle */
    close(a);
    (void)b; /* left open on purpose; closed by the server's shutdown */
}

static void no_daemon(void **state)
{
    (void)state;
    assert_int_equal(proto_connect("/tmp/swsev-no-such-socket"), -ENOENT);
    unsetenv("SWSEV_SOCKET");
    assert_int_equal(proto_connect(NULL), -ENOENT);
    char longp[200];
    memset(longp, 'a', sizeof(longp) - 1);
    longp[sizeof(longp) - 1] = 0;
    assert_int_equal(proto_connect(longp), -ENAMETOOLONG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(ioctl_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_pointers_are_efault, setup, teardown),
        cmocka_unit_test_setup_teardown(management_call, setup, teardown),
        cmocka_unit_test_setup_teardown(garbage_closes_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(stop_with_idle_clients, setup, teardown),
        cmocka_unit_test(no_daemon),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
