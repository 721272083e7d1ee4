/* SPDX-License-Identifier: MIT */
/* x86-64 guest images and their boot state (see ximage.h). */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/ximage.h"
#include "swsev/abi/vmsa.h"
#include "swsev/memsys.h"

#define PAGE      4096ull
#define MAX_FILE  (XIMAGE_END - XIMAGE_BASE + (1u << 20)) /* image + headers and symbols */
#define CR0_LONG  0x80010033ull                           /* PG WP NE ET MP PE */
#define CR4_LONG  0x220ull                                /* OSFXSR PAE */
#define EFER_LONG 0x1500ull                               /* SVME LMA LME */
/* Segment attributes in the VMCB/VMSA format: type, S, DPL, P, then AVL,
 * L, D/B, G. */
#define ATTR_CODE64 0x029Bu /* execute/read accessed, S, P, L */
#define ATTR_DATA   0x0C93u /* read/write accessed, S, P, D/B, G */
#define SEL_CODE    0x08u
#define SEL_DATA    0x10u

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

void ximage_free(struct ximage *img)
{
    free(img->bytes);
    free(img->present);
    memset(img, 0, sizeof(*img));
}

/* Every PT_LOAD segment: inside the window, in the file, not overlapping
 * another one (a page may be shared only by whole-byte-disjoint parts). */
static int check_segments(const Elf64_Phdr *ph, unsigned n, size_t len, uint64_t *lo, uint64_t *hi,
                          char *err, size_t errlen)
{
    *lo = UINT64_MAX;
    *hi = 0;
    unsigned loads = 0;
    for (unsigned i = 0; i < n; i++) {
        const Elf64_Phdr *p = &ph[i];
        if (p->p_type != PT_LOAD || p->p_memsz == 0)
            continue;
        loads++;
        if (p->p_filesz > p->p_memsz || p->p_offset > len || p->p_filesz > len - p->p_offset)
            return fail(err, errlen, "segment %u: file range outside the file", i);
        if (p->p_paddr != p->p_vaddr)
            return fail(err, errlen, "segment %u: physical and virtual address differ", i);
        if (p->p_vaddr < XIMAGE_BASE || p->p_memsz > XIMAGE_END - XIMAGE_BASE ||
            p->p_vaddr > XIMAGE_END - p->p_memsz)
            return fail(err, errlen, "segment %u at %#llx+%#llx is outside [%#llx, %#llx)", i,
                        (unsigned long long)p->p_vaddr, (unsigned long long)p->p_memsz, XIMAGE_BASE,
                        XIMAGE_END);
        for (unsigned j = 0; j < i; j++) {
            const Elf64_Phdr *q = &ph[j];
            if (q->p_type == PT_LOAD && q->p_memsz && p->p_vaddr < q->p_vaddr + q->p_memsz &&
                q->p_vaddr < p->p_vaddr + p->p_memsz)
                return fail(err, errlen, "segments %u and %u overlap", j, i);
        }
        uint64_t s = p->p_vaddr & ~(PAGE - 1),
                 e = (p->p_vaddr + p->p_memsz + PAGE - 1) & ~(PAGE - 1);
        if (s < *lo)
            *lo = s;
        if (e > *hi)
            *hi = e;
    }
    if (!loads)
        return fail(err, errlen, "no loadable segment");
    return 0;
}

int ximage_parse(struct ximage *img, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    memset(img, 0, sizeof(*img));
    Elf64_Ehdr eh;
    if (len < sizeof(eh))
        return fail(err, errlen, "not an ELF file (%zu bytes)", len);
    memcpy(&eh, buf, sizeof(eh));
    if (memcmp(eh.e_ident, ELFMAG, SELFMAG))
        return fail(err, errlen, "not an ELF file");
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
        return fail(err, errlen, "not a 64-bit little-endian ELF file");
    if (eh.e_machine != EM_X86_64 || eh.e_type != ET_EXEC)
        return fail(err, errlen, "not an x86-64 executable (machine %u, type %u)", eh.e_machine,
                    eh.e_type);
    if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phnum > 64 ||
        eh.e_phoff > len || (size_t)eh.e_phnum * sizeof(Elf64_Phdr) > len - eh.e_phoff)
        return fail(err, errlen, "bad program header table");
    Elf64_Phdr ph[64];
    memcpy(ph, buf + eh.e_phoff, (size_t)eh.e_phnum * sizeof(Elf64_Phdr));
    uint64_t lo, hi;
    if (check_segments(ph, eh.e_phnum, len, &lo, &hi, err, errlen))
        return -1;
    bool entry_ok = false;
    for (unsigned i = 0; i < eh.e_phnum; i++)
        if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X) && eh.e_entry >= ph[i].p_vaddr &&
            eh.e_entry < ph[i].p_vaddr + ph[i].p_memsz)
            entry_ok = true;
    if (!entry_ok)
        return fail(err, errlen, "entry point %#llx is not in an executable segment",
                    (unsigned long long)eh.e_entry);
    img->bytes = calloc(1, hi - lo);
    img->present = calloc(1, (hi - lo) / PAGE);
    if (!img->bytes || !img->present) {
        ximage_free(img);
        return fail(err, errlen, "out of memory");
    }
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        const Elf64_Phdr *p = &ph[i];
        if (p->p_type != PT_LOAD || p->p_memsz == 0)
            continue;
        memcpy(img->bytes + (p->p_vaddr - lo), buf + p->p_offset, p->p_filesz);
        for (uint64_t a = p->p_vaddr & ~(PAGE - 1); a < p->p_vaddr + p->p_memsz; a += PAGE)
            img->present[(a - lo) / PAGE] = 1;
    }
    img->entry = eh.e_entry;
    img->lo = lo;
    img->hi = hi;
    return 0;
}

int ximage_load_file(struct ximage *img, const char *path, char *err, size_t errlen)
{
    memset(img, 0, sizeof(*img));
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(err, errlen, "%s: %s", path, strerror(errno));
    uint8_t *buf = malloc(MAX_FILE + 1);
    size_t n = buf ? fread(buf, 1, MAX_FILE + 1, f) : 0;
    bool bad = ferror(f);
    fclose(f);
    int rc;
    if (!buf)
        rc = fail(err, errlen, "out of memory");
    else if (bad)
        rc = fail(err, errlen, "%s: read error", path);
    else if (n > MAX_FILE)
        rc = fail(err, errlen, "%s: larger than %llu bytes", path, (unsigned long long)MAX_FILE);
    else
        rc = ximage_parse(img, buf, n, err, errlen);
    free(buf);
    return rc;
}

void ximage_page_tables(uint8_t pages[XIMAGE_PT_PAGES][4096], uint64_t enc_mask)
{
    memset(pages, 0, XIMAGE_PT_PAGES * 4096);
    uint64_t *pml4 = (uint64_t *)pages[0], *pdpt = (uint64_t *)pages[1];
    uint64_t *pd = (uint64_t *)pages[2], *pt = (uint64_t *)pages[3];
    uint64_t f = PTE_P | PTE_RW | enc_mask;
    pml4[0] = (XIMAGE_PT_GPA + PAGE) | f;
    pdpt[0] = (XIMAGE_PT_GPA + 2 * PAGE) | f;
    pd[0] = (XIMAGE_PT_GPA + 3 * PAGE) | f;
    for (uint64_t i = 1; i < 512; i++)
        pd[i] = (i << 21) | PTE_PS | f;
    for (uint64_t i = 0; i < 512; i++)
        pt[i] = (i << 12) | f;
}

static void seg(struct vcpu_segment *s, uint16_t sel, uint16_t attrib)
{
    s->base = 0;
    s->limit = 0xFFFFFFFFu;
    s->selector = sel;
    s->attrib = attrib;
}

void ximage_initial_state(const struct ximage *img, struct vcpu_regs *r, struct vcpu_sregs *s)
{
    memset(r, 0, sizeof(*r));
    memset(s, 0, sizeof(*s));
    r->rip = img->entry;
    r->rflags = 2;
    seg(&s->cs, SEL_CODE, ATTR_CODE64);
    seg(&s->ds, SEL_DATA, ATTR_DATA);
    seg(&s->es, SEL_DATA, ATTR_DATA);
    seg(&s->ss, SEL_DATA, ATTR_DATA);
    seg(&s->fs, 0, 0);
    seg(&s->gs, 0, 0);
    s->tr.attrib = 0x8B; /* a busy 64-bit TSS, as VMRUN insists on one */
    s->tr.limit = 0xFFFF;
    s->ldtr.attrib = 0x82;
    s->ldtr.limit = 0xFFFF;
    s->gdtr_limit = 0xFFFF;
    s->idtr_limit = 0xFFFF;
    s->cr0 = CR0_LONG;
    s->cr3 = XIMAGE_PT_GPA;
    s->cr4 = CR4_LONG;
    s->efer = EFER_LONG;
    s->xcr0 = 1;
}

static void put_seg(uint8_t *p, unsigned off, const struct vcpu_segment *s)
{
    memcpy(p + off, &s->selector, 2);
    memcpy(p + off + 2, &s->attrib, 2);
    memcpy(p + off + 4, &s->limit, 4);
    memcpy(p + off + 8, &s->base, 8);
}

static void put64(uint8_t *p, unsigned off, uint64_t v)
{
    memcpy(p + off, &v, 8);
}

void ximage_initial_vmsa(const struct ximage *img, uint8_t page[4096], uint64_t sev_features)
{
    struct vcpu_regs r;
    struct vcpu_sregs s;
    ximage_initial_state(img, &r, &s);
    /* The reset state supplies what long mode does not change (PAT, x87
     * and SSE control words, DR6/DR7, XCR0); the rest is overwritten. */
    vmsa_reset_state(page, VMSA_VMM_QEMU, 1, 0, 0x00A00F11, sev_features);
    put_seg(page, VMSA_CS, &s.cs);
    put_seg(page, VMSA_DS, &s.ds);
    put_seg(page, VMSA_ES, &s.es);
    put_seg(page, VMSA_SS, &s.ss);
    put_seg(page, VMSA_FS, &s.fs);
    put_seg(page, VMSA_GS, &s.gs);
    put_seg(page, VMSA_TR, &s.tr);
    put_seg(page, VMSA_LDTR, &s.ldtr);
    uint32_t lim = s.gdtr_limit;
    memcpy(page + VMSA_GDTR + 4, &lim, 4);
    put64(page, VMSA_GDTR + 8, 0);
    lim = s.idtr_limit;
    memcpy(page + VMSA_IDTR + 4, &lim, 4);
    put64(page, VMSA_IDTR + 8, 0);
    put64(page, VMSA_CR0, s.cr0);
    put64(page, VMSA_CR3, s.cr3);
    put64(page, VMSA_CR4, s.cr4);
    put64(page, VMSA_EFER, s.efer);
    put64(page, VMSA_RIP, r.rip);
    put64(page, VMSA_RFLAGS, r.rflags);
    put64(page, VMSA_RSP, 0);
    put64(page, VMSA_RDX, 0); /* the reset state's processor signature */
}
