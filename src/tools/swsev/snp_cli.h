/* SPDX-License-Identifier: MIT */
/* tools/swsev/snp_cli.h - the subcommands of `swsev snp`, one file each. */
#ifndef SWSEV_TOOLS_SNP_CLI_H
#define SWSEV_TOOLS_SNP_CLI_H

/* Each takes argv[0] = its own name ("measure", "verify", ...). */
int snp_cmd_verify(int argc, char **argv);
int snp_cmd_certs(int argc, char **argv);
int snp_cmd_measure(int argc, char **argv);
int snp_cmd_measure_diff(int argc, char **argv);
int snp_cmd_launch(int argc, char **argv);
int snp_cmd_id_block(int argc, char **argv);
int snp_cmd_guest(int argc, char **argv);
int snp_cmd_report(int argc, char **argv);
int snp_cmd_platform(int argc, char **argv);

#endif
