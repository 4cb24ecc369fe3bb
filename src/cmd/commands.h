/*
 * commands.h - entry points of the subcommands, one file each in cmd/.
 *
 * Each takes argv with argv[0] = the subcommand name and returns the
 * process exit status.  main.c's table is the only caller.
 */
#ifndef SCORCH_CMD_COMMANDS_H
#define SCORCH_CMD_COMMANDS_H

int cmd_collapse(int argc, const char **argv);
int cmd_record(int argc, const char **argv);
int cmd_top(int argc, const char **argv);
int cmd_dump(int argc, const char **argv);
int cmd_convert(int argc, const char **argv);
int cmd_report(int argc, const char **argv);
int cmd_diff(int argc, const char **argv);
int cmd_flamegraph(int argc, const char **argv);
int cmd_annotate(int argc, const char **argv);

#endif
