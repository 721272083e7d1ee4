/* SPDX-License-Identifier: MIT */
/* x86-64 guest images (backend/ximage.h): what the loader accepts, what it
 * refuses with one line, and the page tables and state it boots them in. */
#include <elf.h>

#include "testsupport.h"

#include "backend/ximage.h"
#include "swsev/abi/vmsa.h"
#include "swsev/memsys.h"

#define CBIT (1ull << 51)

struct elf_buf {
    uint8_t b[0x4000];
    Elf64_Ehdr *eh;
    Elf64_Phdr *ph;
};

/* An executable with a code segment (0x101000, 16 bytes) and a data
 * segment (0x102000: 8 bytes in the file, 0x2000 in memory). */
static void mk(struct elf_buf *e)
{
    memset(e, 0, sizeof(*e));
    e->eh = (Elf64_Ehdr *)e->b;
    e->ph = (Elf64_Phdr *)(e->b + sizeof(Elf64_Ehdr));
    memcpy(e->eh->e_ident, ELFMAG, SELFMAG);
    e->eh->e_ident[EI_CLASS] = ELFCLASS64;
    e->eh->e_ident[EI_DATA] = ELFDATA2LSB;
    e->eh->e_type = ET_EXEC;
    e->eh->e_machine = EM_X86_64;
    e->eh->e_entry = 0x101004;
    e->eh->e_phoff = sizeof(Elf64_Ehdr);
    e->eh->e_phentsize = sizeof(Elf64_Phdr);
    e->eh->e_phnum = 2;
    Elf64_Phdr code = {PT_LOAD, PF_R | PF_X, 0x1000, 0x101000, 0x101000, 16, 16, 0x1000};
    Elf64_Phdr data = {PT_LOAD, PF_R | PF_W, 0x2000, 0x102000, 0x102000, 8, 0x2000, 0x1000};
    e->ph[0] = code;
    e->ph[1] = data;
    memset(e->b + 0x1000, 0x90, 16);
    memcpy(e->b + 0x2000, "DATADATA", 8);
}

static void expect_refused(struct elf_buf *e, size_t len, const char *what)
{
    struct ximage img;
    char err[160] = "";
    assert_int_equal(ximage_parse(&img, e->b, len, err, sizeof(err)), -1);
    assert_non_null(strstr(err, what));
    assert_null(strchr(err, '\n'));
    assert_null(img.bytes);
}

static void test_accepts_and_lays_out(void **state)
{
    (void)state;
    struct elf_buf e;
    mk(&e);
    struct ximage img;
    char err[160];
    assert_int_equal(ximage_parse(&img, e.b, sizeof(e.b), err, sizeof(err)), 0);
    assert_int_equal(img.entry, 0x101004);
    assert_int_equal(img.lo, 0x101000);
    assert_int_equal(img.hi, 0x104000);
    assert_true(img.present[0] && img.present[1] && img.present[2]);
    assert_int_equal(img.bytes[0], 0x90);
    assert_memory_equal(img.bytes + 0x1000, "DATADATA", 8);
    /* .bss is zero, whatever follows the segment in the file */
    assert_int_equal(img.bytes[0x1008], 0);
    assert_int_equal(img.bytes[0x2fff], 0);
    ximage_free(&img);
}

static void test_refusals(void **state)
{
    (void)state;
    struct elf_buf e;
    mk(&e);
    expect_refused(&e, 10, "not an ELF");
    mk(&e);
    e.b[0] = 0;
    expect_refused(&e, sizeof(e.b), "not an ELF");
    mk(&e);
    e.eh->e_ident[EI_CLASS] = ELFCLASS32;
    expect_refused(&e, sizeof(e.b), "64-bit");
    mk(&e);
    e.eh->e_machine = EM_386;
    expect_refused(&e, sizeof(e.b), "x86-64 executable");
    mk(&e);
    e.eh->e_type = ET_DYN;
    expect_refused(&e, sizeof(e.b), "x86-64 executable");
    mk(&e);
    e.eh->e_phnum = 0;
    expect_refused(&e, sizeof(e.b), "program header");
    mk(&e);
    e.eh->e_phoff = sizeof(e.b) - 8;
    expect_refused(&e, sizeof(e.b), "program header");
    mk(&e);
    e.ph[1].p_vaddr = e.ph[1].p_paddr = 0xFF000;
    expect_refused(&e, sizeof(e.b), "outside");
    mk(&e);
    e.ph[1].p_memsz = 0x300000;
    expect_refused(&e, sizeof(e.b), "outside");
    mk(&e);
    e.ph[1].p_vaddr = e.ph[1].p_paddr = 0x2FF000; /* ends past the window */
    expect_refused(&e, sizeof(e.b), "outside");
    mk(&e);
    e.ph[1].p_vaddr = e.ph[1].p_paddr = 0x101008;
    expect_refused(&e, sizeof(e.b), "overlap");
    mk(&e);
    e.ph[1].p_paddr = 0x202000;
    expect_refused(&e, sizeof(e.b), "differ");
    mk(&e);
    e.ph[1].p_filesz = 0x3000; /* more in the file than in memory */
    expect_refused(&e, sizeof(e.b), "file range");
    mk(&e);
    e.ph[1].p_offset = sizeof(e.b) - 4;
    expect_refused(&e, sizeof(e.b), "file range");
    mk(&e);
    e.eh->e_entry = 0x102000; /* data, not code */
    expect_refused(&e, sizeof(e.b), "entry point");
    mk(&e);
    e.ph[0].p_type = PT_NOTE;
    e.ph[1].p_type = PT_NOTE;
    expect_refused(&e, sizeof(e.b), "no loadable");
}

static void test_load_file_errors(void **state)
{
    (void)state;
    struct ximage img;
    char err[160];
    assert_int_equal(ximage_load_file(&img, "/nonexistent/guest.elf", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/nonexistent/guest.elf"));
    assert_int_equal(ximage_load_file(&img, "/dev/null", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "not an ELF"));
}

static void test_page_tables(void **state)
{
    (void)state;
    static uint8_t pt[XIMAGE_PT_PAGES][4096];
    ximage_page_tables(pt, CBIT);
    uint64_t e;
    memcpy(&e, pt[0], 8);
    assert_int_equal(e, (XIMAGE_PT_GPA + 0x1000) | PTE_P | PTE_RW | CBIT);
    memcpy(&e, pt[2] + 8 * 128, 8); /* the 2 MiB page of the MMIO region */
    assert_int_equal(e, 0x10000000ull | PTE_P | PTE_RW | PTE_PS | CBIT);
    memcpy(&e, pt[3] + 8 * 0x101, 8);
    assert_int_equal(e, 0x101000ull | PTE_P | PTE_RW | CBIT);
    ximage_page_tables(pt, 0);
    memcpy(&e, pt[3] + 8 * 0x101, 8);
    assert_int_equal(e, 0x101000ull | PTE_P | PTE_RW);
}

static void test_initial_state(void **state)
{
    (void)state;
    struct elf_buf e;
    mk(&e);
    struct ximage img;
    char err[160];
    assert_int_equal(ximage_parse(&img, e.b, sizeof(e.b), err, sizeof(err)), 0);
    struct vcpu_regs r;
    struct vcpu_sregs s;
    ximage_initial_state(&img, &r, &s);
    assert_int_equal(r.rip, 0x101004);
    assert_int_equal(r.rflags, 2);
    assert_true(s.cr0 & X86_CR0_PG);
    assert_true(s.efer & X86_EFER_LMA);
    assert_int_equal(s.cr3, XIMAGE_PT_GPA);
    assert_int_equal(s.cs.attrib & 0x200, 0x200); /* L: 64-bit code */
    uint8_t page[4096];
    ximage_initial_vmsa(&img, page, 1);
    uint64_t v;
    memcpy(&v, page + VMSA_RIP, 8);
    assert_int_equal(v, 0x101004);
    memcpy(&v, page + VMSA_CR3, 8);
    assert_int_equal(v, XIMAGE_PT_GPA);
    memcpy(&v, page + VMSA_EFER, 8);
    assert_int_equal(v, s.efer);
    memcpy(&v, page + VMSA_SEV_FEATURES, 8);
    assert_int_equal(v, 1);
    uint16_t attr;
    memcpy(&attr, page + VMSA_CS + 2, 2);
    assert_int_equal(attr, s.cs.attrib);
    ximage_free(&img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts_and_lays_out), cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_load_file_errors),     cmocka_unit_test(test_page_tables),
        cmocka_unit_test(test_initial_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
