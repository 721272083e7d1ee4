/* SPDX-License-Identifier: MIT */
/*
 * swsev snp measure / measure-diff - the launch digest an SEV, SEV-ES or
 * SEV-SNP guest should get, offline, with sev-snp-measure's options and
 * output; and where two launches' measurements part ways.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/snp_plan.h"
#include "crypto/digest.h"
#include "tools/swsev/cli.h"
#include "tools/swsev/snp_cli.h"
#include "tools/swsev/util.h"

#define OVMF_MAX (64u << 20) /* flash images are a few MiB */

enum measure_mode { MODE_NONE, MODE_SEV, MODE_SEV_ES, MODE_SNP, MODE_OVMF_HASH };

/* The options, as given (one set per launch). */
struct measure_args {
    enum measure_mode mode;
    unsigned vcpus;
    bool vcpus_set;
    const char *vcpu_type;
    bool sig_set, fam_set, model_set, step_set;
    uint32_t sig;
    unsigned fam, model, step;
    enum vmsa_vmm vmm;
    const char *ovmf, *kernel, *initrd, *append;
    uint64_t features;
    const char *ovmf_hash;
};

/* Output options (measure only). */
struct measure_out {
    bool base64, verbose, explain, json, dump_vmsa;
};

/* A launch ready to measure: the inputs loaded, the plan built. */
struct launch {
    enum measure_mode mode;
    uint8_t *ovmf;
    size_t ovmf_len;
    struct snp_plan_kernel kernel;
    struct snp_plan *plan;
    bool seeded; /* --snp-ovmf-hash: start after the image ops */
    uint8_t seed[SNP_PAGEINFO_DIGEST_LEN];
};

static void measure_args_init(struct measure_args *a)
{
    memset(a, 0, sizeof(*a));
    a->vmm = VMSA_VMM_QEMU;
    a->features = 0x1; /* SNPActive, sev-snp-measure's default */
}

/* ---- option values ---- */

static int parse_num(const char *cmd, const char *opt, const char *s, int base, uint64_t max,
                     uint64_t *v)
{
    char *end;
    errno = 0;
    if (!*s || *s == '-' || *s == '+' || *s == ' ')
        return cli_error(cmd, "--%s: '%s' is not a number", opt, s);
    unsigned long long x = strtoull(s, &end, base);
    if (*end || errno)
        return cli_error(cmd, "--%s: '%s' is not a number", opt, s);
    if (x > max)
        return cli_error(cmd, "--%s: %s is out of range (at most %" PRIu64 ")", opt, s, max);
    *v = x;
    return 0;
}

static int parse_mode(const char *cmd, const char *s, enum measure_mode *m)
{
    static const struct {
        const char *name;
        enum measure_mode mode;
    } modes[] = {
        {"sev", MODE_SEV},
        {"SEV", MODE_SEV},
        {"seves", MODE_SEV_ES},
        {"sev-es", MODE_SEV_ES},
        {"SEVES", MODE_SEV_ES},
        {"SEV-ES", MODE_SEV_ES},
        {"snp", MODE_SNP},
        {"sev-snp", MODE_SNP},
        {"SNP", MODE_SNP},
        {"SEV-SNP", MODE_SNP},
        {"snp:ovmf-hash", MODE_OVMF_HASH},
    };
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
        if (!strcmp(s, modes[i].name)) {
            *m = modes[i].mode;
            return 0;
        }
    if (!strcasecmp(s, "snp:svsm") || !strcasecmp(s, "sev-snp:svsm"))
        return cli_error(cmd, "--mode %s is not supported (snp, seves, sev, snp:ovmf-hash)", s);
    return cli_error(cmd, "--mode: unknown mode '%s' (snp, seves, sev, snp:ovmf-hash)", s);
}

static int parse_vmm(const char *cmd, const char *s, enum vmsa_vmm *v)
{
    if (!strcasecmp(s, "QEMU"))
        *v = VMSA_VMM_QEMU;
    else if (!strcasecmp(s, "ec2"))
        *v = VMSA_VMM_EC2;
    else if (!strcasecmp(s, "gce"))
        *v = VMSA_VMM_GCE;
    else
        return cli_error(cmd, "--vmm-type: unknown VMM type '%s' (QEMU, ec2, gce)", s);
    return 0;
}

/* Options shared by both launches of measure-diff. Returns 1 when name is
 * not one of them, 0 when taken, 2 after an error line. */
static int set_launch_option(const char *cmd, struct measure_args *a, const char *name,
                             const char *val)
{
    uint64_t v;
    if (!strcmp(name, "mode"))
        return parse_mode(cmd, val, &a->mode) ? 2 : 0;
    if (!strcmp(name, "vcpus")) {
        if (parse_num(cmd, name, val, 10, SNP_PLAN_MAX_VCPUS, &v))
            return 2;
        if (v == 0)
            return cli_error(cmd, "--vcpus: a guest needs at least one vCPU");
        a->vcpus = (unsigned)v;
        a->vcpus_set = true;
        return 0;
    }
    if (!strcmp(name, "vcpu-type")) {
        uint32_t sig;
        if (!snp_plan_cpu_sig_by_name(val, &sig))
            return cli_error(cmd, "--vcpu-type: unknown CPU type '%s' (see --help)", val);
        a->vcpu_type = val;
        return 0;
    }
    if (!strcmp(name, "vcpu-sig")) {
        if (parse_num(cmd, name, val, 0, UINT32_MAX, &v))
            return 2;
        a->sig = (uint32_t)v;
        a->sig_set = true;
        return 0;
    }
    unsigned *field = !strcmp(name, "vcpu-family")     ? &a->fam
                      : !strcmp(name, "vcpu-model")    ? &a->model
                      : !strcmp(name, "vcpu-stepping") ? &a->step
                                                       : NULL;
    if (field) {
        if (parse_num(cmd, name, val, 10, 0xFF + 0xF, &v))
            return 2;
        *field = (unsigned)v;
        bool *set = field == &a->fam     ? &a->fam_set
                    : field == &a->model ? &a->model_set
                                         : &a->step_set;
        *set = true;
        return 0;
    }
    if (!strcmp(name, "vmm-type"))
        return parse_vmm(cmd, val, &a->vmm) ? 2 : 0;
    if (!strcmp(name, "guest-features"))
        return parse_num(cmd, name, val, 0, UINT64_MAX, &a->features) ? 2 : 0;
    const char **path = !strcmp(name, "ovmf")            ? &a->ovmf
                        : !strcmp(name, "kernel")        ? &a->kernel
                        : !strcmp(name, "initrd")        ? &a->initrd
                        : !strcmp(name, "append")        ? &a->append
                        : !strcmp(name, "snp-ovmf-hash") ? &a->ovmf_hash
                                                         : NULL;
    if (!path)
        return 1;
    *path = val;
    return 0;
}

/* The options that describe a launch (set_launch_option takes them). */
static bool launch_option_known(const char *name)
{
    static const char *const names[] = {
        "mode",       "vcpus",         "vcpu-type", "vcpu-sig",       "vcpu-family",
        "vcpu-model", "vcpu-stepping", "vmm-type",  "guest-features", "ovmf",
        "kernel",     "initrd",        "append",    "snp-ovmf-hash",
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(name, names[i]))
            return true;
    return false;
}

/* Split "--name=value" / "--name value" for an option known to take a
 * value (extra is one more such name, or NULL; measure-diff's a-/b-
 * prefixes are allowed when prefixed). Returns the value or NULL after an
 * error line. */
static const char *option_value(const char *cmd, int argc, char **argv, int *i, char *name,
                                size_t cap, const char *extra, bool prefixed)
{
    const char *arg = argv[*i] + 2, *eq = strchr(arg, '=');
    size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
    if (n < cap) {
        memcpy(name, arg, n);
        name[n] = '\0';
    }
    const char *bare =
        prefixed && (!strncmp(name, "a-", 2) || !strncmp(name, "b-", 2)) ? name + 2 : name;
    if (n >= cap || !(launch_option_known(bare) || (extra && !strcmp(bare, extra)))) {
        cli_error(cmd, "unknown option '--%.*s' (try --help)", (int)n, arg);
        return NULL;
    }
    if (eq)
        return eq + 1;
    if (*i + 1 >= argc) {
        cli_error(cmd, "--%s needs a value", name);
        return NULL;
    }
    return argv[++*i];
}

static bool is_flag(const char *arg, const char *name)
{
    return arg[0] == '-' && arg[1] == '-' && !strcmp(arg + 2, name);
}

/* ---- loading a launch ---- */

/* SHA-256 of a file read as a stream (/dev/null and pipes are fine). */
static int hash_file(const char *cmd, const char *path, uint8_t out[32])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cli_error(cmd, "cannot read %s: %s", path, strerror(errno));
    struct crypto_digest d;
    swsev_rc rc = crypto_digest_init(&d, CRYPTO_SHA256);
    uint8_t buf[65536];
    size_t n;
    while (!rc && (n = fread(buf, 1, sizeof(buf), f)) > 0)
        rc = crypto_digest_update(&d, buf, n);
    int bad = ferror(f);
    fclose(f);
    if (!rc && bad)
        rc = SWSEV_SYS_ERR(EIO);
    if (!rc)
        return crypto_digest_final(&d, out) ? cli_error(cmd, "SHA-256 failed") : 0;
    crypto_digest_clear(&d);
    return cli_error(cmd, "cannot read %s: %s", path, swsev_strerror(rc));
}

/* The vCPU signature, by sev-snp-measure's precedence: family/model/
 * stepping, then --vcpu-sig, then --vcpu-type. */
static int resolve_sig(const char *cmd, const struct measure_args *a, uint32_t *sig)
{
    *sig = 0;
    if (a->fam_set || a->model_set || a->step_set) {
        if (!(a->fam_set && a->model_set && a->step_set))
            return cli_error(cmd, "--vcpu-family, --vcpu-model and --vcpu-stepping go together");
        *sig = snp_plan_cpu_sig(a->fam, a->model, a->step);
    } else if (a->sig_set) {
        *sig = a->sig;
    } else if (a->vcpu_type) {
        snp_plan_cpu_sig_by_name(a->vcpu_type, sig);
    } else if (a->vmm == VMSA_VMM_QEMU && a->mode != MODE_SEV && a->mode != MODE_OVMF_HASH) {
        return cli_error(cmd, "missing --vcpu-type, --vcpu-sig or --vcpu-family (QEMU puts the "
                              "vCPU signature in the VMSA)");
    }
    return 0;
}

static int check_args(const char *cmd, const struct measure_args *a)
{
    if (a->mode == MODE_NONE)
        return cli_error(cmd, "missing --mode (snp, seves, sev, snp:ovmf-hash)");
    if (!a->ovmf)
        return cli_error(cmd, "missing --ovmf PATH");
    bool kernel = a->kernel && *a->kernel;
    if (a->initrd && *a->initrd && !kernel)
        return cli_error(cmd, "--initrd needs --kernel");
    if (a->append && *a->append && !kernel)
        return cli_error(cmd, "--append needs --kernel");
    if (a->ovmf_hash && a->mode != MODE_SNP)
        return cli_error(cmd, "--snp-ovmf-hash works with --mode snp only");
    if (!a->vcpus_set && (a->mode == MODE_SNP || a->mode == MODE_SEV_ES))
        return cli_error(cmd, "missing --vcpus N");
    return 0;
}

static void launch_free(struct launch *l)
{
    snp_plan_free(l->plan);
    free(l->ovmf);
    memset(l, 0, sizeof(*l));
}

static int launch_load(const char *cmd, const struct measure_args *a, struct launch *l)
{
    memset(l, 0, sizeof(*l));
    if (check_args(cmd, a))
        return CLI_EXIT_USAGE;
    struct snp_plan_inputs in = {
        .mode = a->mode == MODE_SEV      ? SNP_PLAN_SEV
                : a->mode == MODE_SEV_ES ? SNP_PLAN_SEV_ES
                                         : SNP_PLAN_SNP,
        .vcpus = a->vcpus,
        .vmm = a->vmm,
        .guest_features = a->features,
        .image_only = a->mode == MODE_OVMF_HASH,
    };
    if (resolve_sig(cmd, a, &in.vcpu_sig))
        return CLI_EXIT_USAGE;
    l->mode = a->mode;
    if (a->ovmf_hash) {
        if (parse_hex(a->ovmf_hash, l->seed, sizeof(l->seed)))
            return cli_error(cmd, "--snp-ovmf-hash: expected %zu hex digits", 2 * sizeof(l->seed));
        l->seeded = true;
    }
    if (a->kernel && *a->kernel && a->mode != MODE_OVMF_HASH) {
        if (hash_file(cmd, a->kernel, l->kernel.kernel_sha256))
            return CLI_EXIT_USAGE;
        if (a->initrd && *a->initrd) {
            if (hash_file(cmd, a->initrd, l->kernel.initrd_sha256))
                return CLI_EXIT_USAGE;
        } else if (crypto_hash(CRYPTO_SHA256, "", 0, l->kernel.initrd_sha256)) {
            return cli_error(cmd, "SHA-256 failed");
        }
        if (snp_plan_cmdline_hash(l->kernel.cmdline_sha256, a->append))
            return cli_error(cmd, "SHA-256 failed");
        in.kernel = &l->kernel;
    }
    if (read_file(cmd, a->ovmf, OVMF_MAX, &l->ovmf, &l->ovmf_len))
        return CLI_EXIT_USAGE;
    in.ovmf = l->ovmf;
    in.ovmf_len = l->ovmf_len;
    char err[256];
    if (snp_plan_build(&l->plan, &in, err, sizeof(err))) {
        cli_error(cmd, "%s: %s", a->ovmf, err);
        launch_free(l);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/* ---- measuring ---- */

/* Where an SNP digest walk starts: after the image when seeded. */
static size_t first_op(const struct launch *l)
{
    return l->seeded ? l->plan->n_image_ops : 0;
}

static swsev_rc launch_digest(const struct launch *l, uint8_t *out, size_t *len,
                              snp_plan_page_fn fn, void *arg)
{
    const struct snp_plan *p = l->plan;
    if (p->mode != SNP_PLAN_SNP) {
        *len = 32;
        return snp_plan_sev_digest(p, out);
    }
    *len = SNP_PAGEINFO_DIGEST_LEN;
    size_t first = first_op(l);
    return snp_plan_digest_range(p, l->seeded ? l->seed : NULL, first, p->n_ops - first, out, fn,
                                 arg);
}

struct explain_ctx {
    bool json;
    bool first;
};

static void explain_page(void *arg, const struct snp_plan_page *pg)
{
    struct explain_ctx *x = arg;
    if (x->json) {
        printf("%s\n    {\"index\": %" PRIu64 ", \"gpa\": \"0x%" PRIx64
               "\", \"type\": \"%s\", \"what\": \"%s\", \"contents\": \"",
               x->first ? "" : ",", pg->index, pg->gpa, snp_page_type_name(pg->page_type),
               pg->op->what);
        print_hex(stdout, pg->contents, sizeof(pg->contents));
        printf("\", \"digest\": \"");
        print_hex(stdout, pg->digest, sizeof(pg->digest));
        printf("\"}");
    } else {
        printf("%6" PRIu64 "  0x%012" PRIx64 "  %-10s  %-17s  ", pg->index, pg->gpa,
               snp_page_type_name(pg->page_type), pg->op->what);
        print_hex(stdout, pg->contents, sizeof(pg->contents));
        printf("  ");
        print_hex(stdout, pg->digest, sizeof(pg->digest));
        printf("\n");
    }
    x->first = false;
}

/* SEV and SEV-ES have no per-page steps: show each update and its hash. */
static int explain_sev(const char *cmd, const struct snp_plan *p, bool json)
{
    for (size_t i = 0; i < p->n_ops; i++) {
        const struct snp_plan_op *op = &p->ops[i];
        uint8_t h[32];
        if (crypto_hash(CRYPTO_SHA256, op->data, op->len, h))
            return cli_error(cmd, "SHA-256 failed");
        if (json)
            printf("%s\n    {\"index\": %zu, \"gpa\": \"0x%" PRIx64 "\", \"length\": %" PRIu64
                   ", \"what\": \"%s\", \"sha256\": \"",
                   i ? "," : "", i, op->gpa, op->len, op->what);
        else
            printf("%6zu  0x%012" PRIx64 "  %-10" PRIu64 "  %-17s  ", i, op->gpa, op->len,
                   op->what);
        print_hex(stdout, h, sizeof(h));
        printf(json ? "\"}" : "\n");
    }
    return 0;
}

static const char *mode_name(enum measure_mode m)
{
    return m == MODE_SEV ? "SEV" : m == MODE_SEV_ES ? "SEV_ES" : "SEV_SNP";
}

static int print_measurement(const char *cmd, const struct launch *l, const uint8_t *d, size_t len,
                             const struct measure_out *o)
{
    char hex[2 * 64 + 1];
    for (size_t i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    char *b64 = NULL;
    if (o->base64) {
        b64 = base64_encode(d, len);
        if (!b64)
            return cli_error(cmd, "out of memory");
        b64[strcspn(b64, "\n")] = '\0';
    }
    const char *m = b64 ? b64 : hex;
    if (o->json)
        printf("%s\n  \"mode\": \"%s\",\n  \"measurement\": \"%s\"\n}\n",
               o->explain ? "\n  ]," : "{", mode_name(l->mode), m);
    else if (o->verbose)
        printf("Calculated %s guest measurement: %s\n", mode_name(l->mode), m);
    else
        printf("%s\n", m);
    free(b64);
    return 0;
}

static int dump_vmsas(const char *cmd, const struct snp_plan *p)
{
    for (size_t i = 0; i < p->n_ops; i++) {
        const struct snp_plan_op *op = &p->ops[i];
        if (op->page_type != SNP_PAGE_TYPE_VMSA || p->mode == SNP_PLAN_SEV)
            continue;
        char name[32];
        snprintf(name, sizeof(name), "vmsa%d.bin", op->vcpu);
        if (write_file(cmd, ".", name, op->data, op->len, 0644))
            return CLI_EXIT_USAGE;
    }
    return 0;
}

static int run_measure(const char *cmd, const struct launch *l, const struct measure_out *o)
{
    if (o->dump_vmsa && dump_vmsas(cmd, l->plan))
        return CLI_EXIT_USAGE;
    struct explain_ctx x = {.json = o->json, .first = true};
    bool snp = l->plan->mode == SNP_PLAN_SNP;
    if (o->json && o->explain)
        printf("{\n  \"pages\": [");
    else if (o->explain)
        printf(snp ? "# page  GPA             type        what               PAGE_INFO contents"
                     "%*sdigest after\n"
                   : "#   op  GPA             length      what               SHA-256\n",
               snp ? 2 * SNP_PAGEINFO_DIGEST_LEN - 16 : 0, "");
    if (o->explain && l->plan->mode != SNP_PLAN_SNP && explain_sev(cmd, l->plan, o->json))
        return CLI_EXIT_USAGE;
    uint8_t d[SNP_PAGEINFO_DIGEST_LEN];
    size_t len;
    bool pages = o->explain && snp;
    if (launch_digest(l, d, &len, pages ? explain_page : NULL, &x))
        return cli_error(cmd, "the digest computation failed");
    return print_measurement(cmd, l, d, len, o);
}

static void measure_usage(FILE *f)
{
    fprintf(f, "usage: swsev snp measure --mode MODE --ovmf PATH [--vcpus N] [OPTIONS]\n"
               "\n"
               "The launch digest of an SEV, SEV-ES or SEV-SNP guest started by QEMU (or EC2,\n"
               "GCE) from an OVMF image, computed offline as virtee/sev-snp-measure does; the\n"
               "options and output are sev-snp-measure's.\n"
               "\n"
               "  --mode MODE            snp, seves, sev, or snp:ovmf-hash (the digest of the\n"
               "                         firmware pages alone, for --snp-ovmf-hash)\n"
               "  --vcpus N              number of vCPUs (snp, seves)\n"
               "  --vcpu-type NAME       QEMU CPU model:");
    for (size_t i = 0; snp_plan_cpu_name(i); i++)
        fprintf(f, "%s%s", i % 6 ? ", " : "\n                           ", snp_plan_cpu_name(i));
    fprintf(f, "\n"
               "  --vcpu-sig VALUE       the vCPU signature (CPUID 1 EAX) instead\n"
               "  --vcpu-family F --vcpu-model M --vcpu-stepping S   or its parts\n"
               "  --vmm-type TYPE        QEMU (default), ec2 or gce\n"
               "  --ovmf PATH            the firmware image (mapped to end at 4 GiB)\n"
               "  --kernel PATH          measured direct boot: the kernel (QEMU -kernel)\n"
               "  --initrd PATH          ... its initrd (-initrd)\n"
               "  --append CMDLINE       ... its command line (-append)\n"
               "  --guest-features VALUE SEV_FEATURES of the VMSAs (default 0x1; Linux >= 6.6\n"
               "                         guests commonly use 0x21)\n"
               "  --snp-ovmf-hash HEX    start from this digest of the firmware pages\n"
               "  --output-format FMT    hex (default) or base64\n"
               "  -v, --verbose          say which measurement is printed\n"
               "  --dump-vmsa            write the measured VMSAs to vmsa<N>.bin\n"
               "  --explain              print every measured page first: index, GPA, page type,\n"
               "                         what it is, PAGE_INFO contents (SHA-384 of the page or\n"
               "                         zeros), the launch digest after it (SEV/SEV-ES: every\n"
               "                         update and its SHA-256)\n"
               "  --json                 the same as a JSON object\n"
               "\n"
               "Bad options or inputs: one line on stderr, exit 2. See docs/measurement.md.\n");
}

/* Output options; 1 when arg is not one of them. */
static int set_output_flag(struct measure_out *o, const char *arg)
{
    if (!strcmp(arg, "-v") || is_flag(arg, "verbose"))
        o->verbose = true;
    else if (is_flag(arg, "explain"))
        o->explain = true;
    else if (is_flag(arg, "json"))
        o->json = true;
    else if (is_flag(arg, "dump-vmsa"))
        o->dump_vmsa = true;
    else
        return 1;
    return 0;
}

int snp_cmd_measure(int argc, char **argv)
{
    const char *cmd = "snp measure";
    if (cli_wants_help(argc, argv)) {
        measure_usage(stdout);
        return CLI_EXIT_OK;
    }
    struct measure_args a;
    struct measure_out o = {0};
    measure_args_init(&a);
    for (int i = 1; i < argc; i++) {
        if (!set_output_flag(&o, argv[i]))
            continue;
        if (strncmp(argv[i], "--", 2))
            return cli_error(cmd, "unexpected argument '%s' (try --help)", argv[i]);
        char name[32];
        const char *val =
            option_value(cmd, argc, argv, &i, name, sizeof(name), "output-format", false);
        if (!val)
            return CLI_EXIT_USAGE;
        if (!strcmp(name, "output-format")) {
            if (strcmp(val, "hex") && strcmp(val, "base64"))
                return cli_error(cmd, "--output-format: '%s' (hex or base64)", val);
            o.base64 = !strcmp(val, "base64");
            continue;
        }
        int r = set_launch_option(cmd, &a, name, val);
        if (r == 1)
            return cli_error(cmd, "unknown option '--%s' (try --help)", name);
        if (r)
            return CLI_EXIT_USAGE;
    }
    if (o.dump_vmsa && (a.mode == MODE_SEV || a.mode == MODE_OVMF_HASH))
        return cli_error(cmd, "--dump-vmsa needs --mode snp or seves");
    struct launch l;
    int rc = launch_load(cmd, &a, &l);
    if (rc)
        return rc;
    rc = run_measure(cmd, &l, &o);
    launch_free(&l);
    return rc;
}

/* ---- measure-diff ---- */

/* What the diff keeps of each measured page. */
struct diff_page {
    uint64_t index;
    uint64_t gpa;
    uint8_t type;
    size_t op_index;
    uint8_t contents[SNP_PAGEINFO_DIGEST_LEN];
};

struct page_list {
    struct diff_page *v;
    size_t n, cap;
    bool oom;
    size_t n_image_ops;                            /* of the plan walked */
    size_t image_pages;                            /* leading pages that are the firmware image */
    uint8_t image_digest[SNP_PAGEINFO_DIGEST_LEN]; /* after them (or --snp-ovmf-hash) */
};

static void collect_page(void *arg, const struct snp_plan_page *pg)
{
    struct page_list *l = arg;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 1024;
        struct diff_page *v = realloc(l->v, cap * sizeof(*v));
        if (!v) {
            l->oom = true;
            return;
        }
        l->v = v;
        l->cap = cap;
    }
    if (pg->op_index < l->n_image_ops) {
        l->image_pages++;
        memcpy(l->image_digest, pg->digest, sizeof(l->image_digest));
    }
    struct diff_page *d = &l->v[l->n++];
    d->index = pg->index;
    d->gpa = pg->gpa;
    d->type = pg->page_type;
    d->op_index = pg->op_index;
    memcpy(d->contents, pg->contents, sizeof(d->contents));
}

/* Names for the VMSA fields a VMM's inputs change. */
static const char *vmsa_field(unsigned off)
{
    static const struct {
        unsigned off, len;
        const char *name;
    } f[] = {
        {VMSA_ES, 16, "ES"},
        {VMSA_CS, 16, "CS (AP reset address from the OVMF reset block)"},
        {VMSA_SS, 16, "SS"},
        {VMSA_DS, 48, "DS/FS/GS"},
        {VMSA_GDTR, 64, "GDTR/LDTR/IDTR/TR"},
        {VMSA_EFER, 8, "EFER"},
        {VMSA_CR4, 24, "CR4/CR3/CR0"},
        {VMSA_RIP, 8, "RIP (reset address)"},
        {VMSA_G_PAT, 8, "G_PAT (VMM type)"},
        {VMSA_RDX, 8, "RDX (vCPU signature)"},
        {VMSA_SEV_FEATURES, 8, "SEV_FEATURES (--guest-features)"},
        {VMSA_XCR0, 8, "XCR0"},
        {VMSA_MXCSR, 4, "MXCSR (VMM type)"},
        {VMSA_X87_FCW, 2, "X87_FCW (VMM type)"},
    };
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        if (off >= f[i].off && off < f[i].off + f[i].len)
            return f[i].name;
    return "another field";
}

/* Why two pages' contents differ, as precisely as their op allows. */
static void explain_contents(const struct snp_plan_op *oa, const struct snp_plan_op *ob,
                             uint64_t off, unsigned table_off)
{
    if (!oa->data || !ob->data)
        return;
    const uint8_t *pa = oa->data + off, *pb = ob->data + off;
    if (oa->page_type == SNP_PAGE_TYPE_VMSA) {
        printf("  VMSA fields that differ:");
        const char *last = NULL;
        for (unsigned i = 0; i < VMSA_SIZE; i++)
            if (pa[i] != pb[i] && vmsa_field(i) != last) {
                last = vmsa_field(i);
                printf(" %s at 0x%03x;", last, i);
            }
        printf("\n");
        return;
    }
    if (!strcmp(oa->what, "kernel hashes") && !strcmp(ob->what, "kernel hashes")) {
        /* The table sits at the hash table GPA's page offset: an 18-byte
         * header, then the command line, initrd and kernel entries. */
        static const char *names[] = {"command line (--append)", "initrd", "kernel"};
        printf("  hashes that differ:");
        for (unsigned e = 0; e < 3; e++) {
            unsigned at = table_off + 18 + 50 * e;
            if (at + 50 <= SNP_PAGE_SIZE && memcmp(pa + at, pb + at, 50))
                printf(" %s;", names[e]);
        }
        printf("\n");
        return;
    }
    for (unsigned i = 0; i < SNP_PAGE_SIZE; i++)
        if (pa[i] != pb[i]) {
            printf("  first differing byte at offset 0x%" PRIx64 " of %s\n", off + i, oa->what);
            return;
        }
}

static void print_side(const char *side, const struct snp_plan *p, const struct diff_page *d)
{
    if (!d) {
        printf("  %s: (no more pages)\n", side);
        return;
    }
    printf("  %s: GPA 0x%012" PRIx64 " %-10s %-16s contents ", side, d->gpa,
           snp_page_type_name(d->type), p->ops[d->op_index].what);
    print_hex(stdout, d->contents, sizeof(d->contents));
    printf("\n");
}

static void print_measurements(const uint8_t *da, const uint8_t *db)
{
    printf("  a measurement ");
    print_hex(stdout, da, SNP_PAGEINFO_DIGEST_LEN);
    printf("\n  b measurement ");
    print_hex(stdout, db, SNP_PAGEINFO_DIGEST_LEN);
    printf("\n");
}

/* With --snp-ovmf-hash on either side the firmware image is compared by its
 * digest, and the pages after it one by one. */
static bool image_digests_differ(const struct launch *la, const struct page_list *a,
                                 const struct launch *lb, const struct page_list *b,
                                 const uint8_t *da, const uint8_t *db)
{
    if (!memcmp(a->image_digest, b->image_digest, SNP_PAGEINFO_DIGEST_LEN))
        return false;
    printf("launches diverge in the firmware image (compared by its digest)\n");
    const struct launch *l[2] = {la, lb};
    const struct page_list *p[2] = {a, b};
    for (int s = 0; s < 2; s++) {
        printf("  %c: ", "ab"[s]);
        print_hex(stdout, p[s]->image_digest, SNP_PAGEINFO_DIGEST_LEN);
        printf(" (%s)\n", l[s]->seeded ? "--snp-ovmf-hash" : "the --ovmf image's pages");
    }
    print_measurements(da, db);
    return true;
}

static int report_diff(const struct launch *la, const struct page_list *a, const struct launch *lb,
                       const struct page_list *b, const uint8_t *da, const uint8_t *db)
{
    bool seeded = la->seeded || lb->seeded;
    if (seeded && image_digests_differ(la, a, lb, b, da, db))
        return CLI_EXIT_FAILURE;
    size_t ia = seeded ? a->image_pages : 0, ib = seeded ? b->image_pages : 0;
    size_t na = a->n - ia, nb = b->n - ib, n = na < nb ? na : nb, i;
    for (i = 0; i < n; i++) {
        const struct diff_page *x = &a->v[ia + i], *y = &b->v[ib + i];
        if (x->gpa != y->gpa || x->type != y->type ||
            memcmp(x->contents, y->contents, SNP_PAGEINFO_DIGEST_LEN))
            break;
    }
    if (i == n && na == nb) {
        printf("identical: %zu pages%s, measurement ", na,
               seeded ? " after the firmware image, which has the same digest" : "");
        print_hex(stdout, da, SNP_PAGEINFO_DIGEST_LEN);
        printf("\n");
        return CLI_EXIT_OK;
    }
    const struct diff_page *pa = i < na ? &a->v[ia + i] : NULL;
    const struct diff_page *pb = i < nb ? &b->v[ib + i] : NULL;
    printf("launches diverge at page %" PRIu64 " (a measures %" PRIu64 " pages, b %" PRIu64 ")\n",
           pa ? pa->index : pb->index, la->plan->n_pages, lb->plan->n_pages);
    print_side("a", la->plan, pa);
    print_side("b", lb->plan, pb);
    const char *why = !pa || !pb                                   ? "one launch has no more pages"
                      : pa->gpa != pb->gpa && pa->type != pb->type ? "different GPA and page type"
                      : pa->gpa != pb->gpa                         ? "different GPA"
                      : pa->type != pb->type                       ? "different page type"
                                                                   : "different contents";
    printf("  why: %s\n", why);
    if (pa && pb && pa->gpa == pb->gpa && pa->type == pb->type) {
        const struct snp_plan_op *oa = &la->plan->ops[pa->op_index];
        const struct snp_plan_op *ob = &lb->plan->ops[pb->op_index];
        explain_contents(oa, ob, pa->gpa - oa->gpa, la->plan->ovmf.hash_table_gpa & 0xFFF);
    }
    print_measurements(da, db);
    return CLI_EXIT_FAILURE;
}

static void diff_usage(FILE *f)
{
    fprintf(f, "usage: swsev snp measure-diff [OPTIONS] [--a-OPTION V ...] [--b-OPTION V ...]\n"
               "\n"
               "Compares two SNP launches page by page and names the first PAGE_INFO where\n"
               "their measurements part ways: a different GPA, page type or page contents\n"
               "(for a VMSA, which register fields; for the kernel hashes page, which hash).\n"
               "\n"
               "Every option of 'swsev snp measure' that describes a launch (--mode snp,\n"
               "--vcpus, --vcpu-type/-sig/-family/-model/-stepping, --vmm-type, --ovmf,\n"
               "--kernel, --initrd, --append, --guest-features, --snp-ovmf-hash) applies to\n"
               "both launches; prefixed with a- or b- it applies to launch a or b only, e.g.\n"
               "\n"
               "  swsev snp measure-diff --mode snp --vcpus 4 --vcpu-type EPYC-v4 \\\n"
               "      --ovmf OVMF.fd --a-guest-features 0x1 --b-guest-features 0x21\n"
               "  swsev snp measure-diff --mode snp --vcpus 1 --vcpu-type EPYC-v4 \\\n"
               "      --a-ovmf old/OVMF.fd --b-ovmf new/OVMF.fd\n"
               "\n"
               "Exit 0 when the launches measure the same, 1 when they diverge, 2 for bad\n"
               "options or inputs (one line on stderr).\n");
}

static int diff_parse(const char *cmd, int argc, char **argv, struct measure_args *a,
                      struct measure_args *b)
{
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--", 2))
            return cli_error(cmd, "unexpected argument '%s' (try --help)", argv[i]);
        char name[40];
        const char *val = option_value(cmd, argc, argv, &i, name, sizeof(name), NULL, true);
        if (!val)
            return CLI_EXIT_USAGE;
        bool only_a = !strncmp(name, "a-", 2), only_b = !strncmp(name, "b-", 2);
        const char *opt = only_a || only_b ? name + 2 : name;
        int r = 0;
        if (!only_b)
            r = set_launch_option(cmd, a, opt, val);
        if (!r && !only_a)
            r = set_launch_option(cmd, b, opt, val);
        if (r == 1)
            return cli_error(cmd, "unknown option '--%s' (try --help)", name);
        if (r)
            return CLI_EXIT_USAGE;
    }
    if (a->mode != MODE_SNP || b->mode != MODE_SNP)
        return cli_error(cmd, "measure-diff compares SNP launches: --mode snp");
    return 0;
}

static int diff_side(const char *cmd, const char *side, const struct measure_args *args,
                     struct launch *l, struct page_list *pages, uint8_t digest[48])
{
    char c[48];
    snprintf(c, sizeof(c), "%s: launch %s", cmd, side);
    int rc = launch_load(c, args, l);
    if (rc)
        return rc;
    size_t len;
    pages->n_image_ops = l->plan->n_image_ops;
    if (l->seeded)
        memcpy(pages->image_digest, l->seed, sizeof(l->seed));
    if (launch_digest(l, digest, &len, collect_page, pages) || pages->oom)
        return cli_error(c, "the digest computation failed");
    return 0;
}

int snp_cmd_measure_diff(int argc, char **argv)
{
    const char *cmd = "snp measure-diff";
    if (cli_wants_help(argc, argv)) {
        diff_usage(stdout);
        return CLI_EXIT_OK;
    }
    struct measure_args a, b;
    measure_args_init(&a);
    measure_args_init(&b);
    a.mode = b.mode = MODE_SNP; /* the only mode with pages to compare */
    int rc = diff_parse(cmd, argc, argv, &a, &b);
    if (rc)
        return rc;
    struct launch la = {0}, lb = {0};
    struct page_list pa = {0}, pb = {0};
    uint8_t da[48], db[48];
    rc = diff_side(cmd, "a", &a, &la, &pa, da);
    if (!rc)
        rc = diff_side(cmd, "b", &b, &lb, &pb, db);
    if (!rc)
        rc = report_diff(&la, &pa, &lb, &pb, da, db);
    free(pa.v);
    free(pb.v);
    launch_free(&la);
    launch_free(&lb);
    return rc;
}
