/*
 * symbols.c - per-process address-space maps and the address -> name
 * lookup that dispatches to the kernel table (kallsyms.c), ELF objects
 * (elf_object.c) and JIT maps (jitmap.c).  Maps come from MMAP2 records
 * or /proc/PID/maps.  An address in a file without a covering symbol is
 * named "module+0xSTART" (start of its .eh_frame range when there is one),
 * never after the nearest exported symbol.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "symbols/symbols_internal.h"
#include "util/error.h"
#include "util/file_open.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define KERNEL_START 0xffff800000000000ULL

struct symbols *symbols_new(unsigned flags)
{
	struct symbols *s = xcalloc(1, sizeof(*s));

	s->flags = flags;
	strtab_init(&s->strings);
	pid_table_init(&s->proc_ids);
	return s;
}

static void process_free(struct symbols_process *proc)
{
	free(proc->maps);
	jitmap_free(proc->jit);
	free(proc);
}

void symbols_free(struct symbols *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nr_procs; i++)
		process_free(s->procs[i]);
	free(s->procs);
	pid_table_release(&s->proc_ids);
	while (s->dsos) {
		struct symbols_dso *next = s->dsos->next;
		dso_free(s->dsos);
		s->dsos = next;
	}
	kallsyms_join(s);	/* a preload still running */
	strtab_release(&s->strings);
	free(s);
}

void symbols_preload_kernel(struct symbols *s)
{
	kallsyms_preload(s);
}

const char *symbols_intern(struct symbols *s, const char *str)
{
	return strtab_get(&s->strings,
			  strtab_intern(&s->strings, str, strlen(str)));
}

struct symbols_process *symbols_find_process(struct symbols *s, pid_t pid)
{
	uint32_t id = pid_table_find(&s->proc_ids, pid);

	return id ? s->procs[id - 1] : NULL;
}

struct symbols_process *symbols_process(struct symbols *s, pid_t pid)
{
	struct symbols_process *proc;
	int added;
	uint32_t id = pid_table_add(&s->proc_ids, pid, &added);

	if (!added)
		return s->procs[id - 1];
	proc = xcalloc(1, sizeof(*proc));
	proc->pid = pid;
	grow_array((void **)&s->procs, sizeof(*s->procs), id, &s->alloc_procs);
	s->procs[id - 1] = proc;
	s->nr_procs = id;
	return proc;
}

static int path_is_file(const char *path)
{
	/* MMAP records name anonymous memory "//anon" */
	return path && path[0] == '/' && path[1] != '/' &&
		strncmp(path, "/memfd:", 7) && strncmp(path, "/dev/", 5) &&
		strncmp(path, "/SYSV", 5) && strncmp(path, "/anon_hugepage", 14);
}

static void insert_map(struct symbols_process *proc, size_t at,
		       const struct symbols_map *m)
{
	grow_array((void **)&proc->maps, sizeof(*proc->maps),
		   proc->nr_maps + 1, &proc->alloc_maps);
	memmove(&proc->maps[at + 1], &proc->maps[at],
		(proc->nr_maps - at) * sizeof(*proc->maps));
	proc->maps[at] = *m;
	proc->nr_maps++;
}

/* What /proc/PID/maps says a mapping's file is. */
struct map_identity {
	unsigned dev_major, dev_minor;
	unsigned long long inode;
};

/*
 * The object for the file a process maps as path: opened through its
 * root (proc_root.c), and, when the maps line gave its identity, only
 * if it is that very file (else through /proc/PID/map_files, which is
 * the mapping itself); NULL with one warning per process otherwise.
 */
static struct symbols_dso *map_dso(struct symbols *s,
				   struct symbols_process *proc,
				   const char *path, uint64_t start,
				   uint64_t end, const struct map_identity *id)
{
	struct symbols_dso *dso = NULL;
	char *open_path;

	if (!path_is_file(path))
		return NULL;
	/* /proc/PID/maps gives the path from our root when it can (a
	 * chroot's files under it), perf's MMAP records from the process's */
	open_path = id ? xstrdup(path) : proc_file_path(proc, path);
	if (id && !proc_file_is_mapped(open_path, id->dev_major,
				       id->dev_minor, id->inode)) {
		free(open_path);
		open_path = proc_file_path(proc, path);
	}
	if (id && !proc_file_is_mapped(open_path, id->dev_major,
				       id->dev_minor, id->inode)) {
		struct strbuf sb;

		strbuf_init(&sb);
		strbuf_addf(&sb, "/proc/%d/map_files/%llx-%llx", (int)proc->pid,
			    (unsigned long long)start, (unsigned long long)end);
		free(open_path);
		open_path = strbuf_detach(&sb);
		if (!proc_file_is_mapped(open_path, id->dev_major,
					 id->dev_minor, id->inode)) {
			if (!proc->warned_files)
				warning("process %d maps %s, but that file cannot be reached as the one mapped (replaced since, or no access to /proc/%d/map_files): its code is named by address (profile as root, or restart the program)",
					(int)proc->pid, path, (int)proc->pid);
			proc->warned_files = 1;
			free(open_path);
			return NULL;
		}
	}
	dso = dso_get(s, open_path);
	free(open_path);
	return dso;
}

static void add_map(struct symbols *s, pid_t pid, uint64_t start,
		    uint64_t len, uint64_t pgoff, uint32_t prot,
		    const char *path, const struct map_identity *id)
{
	struct symbols_process *proc = symbols_process(s, pid);
	uint64_t end = start + len;
	struct symbols_map m;
	size_t i;

	if (!len || end < start)
		return;
	/* cut away whatever the new mapping covers */
	for (i = 0; i < proc->nr_maps;) {
		struct symbols_map *o = &proc->maps[i];
		if (o->end <= start || o->start >= end) {
			i++;
			continue;
		}
		if (o->start < start && o->end > end) {	/* split in two */
			struct symbols_map tail = *o;
			tail.pgoff += end - o->start;
			tail.start = end;
			o->end = start;
			insert_map(proc, i + 1, &tail);
			i += 2;
		} else if (o->start < start) {
			o->end = start;
			i++;
		} else if (o->end > end) {
			o->pgoff += end - o->start;
			o->start = end;
			i++;
		} else {
			memmove(o, o + 1, (proc->nr_maps - i - 1) * sizeof(*o));
			proc->nr_maps--;
		}
	}
	m.start = start;
	m.end = end;
	m.pgoff = pgoff;
	m.prot = prot;
	m.path = symbols_intern(s, path ? path : "");
	m.dso = map_dso(s, proc, path, start, end, id);
	for (i = 0; i < proc->nr_maps && proc->maps[i].start < start; i++)
		;
	insert_map(proc, i, &m);
	proc->generation++;
}

void symbols_add_map(struct symbols *s, pid_t pid, uint64_t start,
		     uint64_t len, uint64_t pgoff, uint32_t prot,
		     const char *path)
{
	add_map(s, pid, start, len, pgoff, prot, path, NULL);
}

int symbols_load_proc_maps(struct symbols *s, pid_t pid)
{
	char path[64], line[4096 + 256];
	FILE *fp;
	struct symbols_process *proc;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fp = fopen(path, "r");
	if (!fp)
		return -1;
	proc = symbols_process(s, pid);
	proc->nr_maps = 0;
	proc->generation++;
	while (fgets(line, sizeof(line), fp)) {
		unsigned long long start, end, pgoff;
		struct map_identity id;
		char perms[8];
		int name_at = 0;
		uint32_t prot = 0;
		char *name;
		size_t n;

		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end,
			   perms, &pgoff, &id.dev_major, &id.dev_minor,
			   &id.inode, &name_at) < 7 || !name_at)
			continue;
		name = line + name_at;
		n = strlen(name);
		while (n && (name[n - 1] == '\n' || name[n - 1] == ' '))
			name[--n] = '\0';
		if (n > 10 && !strcmp(name + n - 10, " (deleted)"))
			name[n - 10] = '\0';
		if (perms[0] == 'r')
			prot |= PROT_READ;
		if (perms[1] == 'w')
			prot |= PROT_WRITE;
		if (perms[2] == 'x')
			prot |= PROT_EXEC;
		add_map(s, pid, start, end - start, pgoff, prot, name,
			id.inode ? &id : NULL);
	}
	fclose(fp);
	return 0;
}

void symbols_fork(struct symbols *s, pid_t parent, pid_t child)
{
	struct symbols_process *from = symbols_find_process(s, parent);
	struct symbols_process *to;

	if (!from || parent == child)
		return;
	/* symbols_process() may move s->procs but not *from */
	to = symbols_process(s, child);
	to->nr_maps = 0;
	grow_array((void **)&to->maps, sizeof(*to->maps), from->nr_maps,
		   &to->alloc_maps);
	if (from->nr_maps)
		memcpy(to->maps, from->maps, from->nr_maps * sizeof(*to->maps));
	to->nr_maps = from->nr_maps;
	to->generation++;
}

void symbols_forget(struct symbols *s, pid_t pid)
{
	struct symbols_process *proc = symbols_find_process(s, pid);

	if (!proc)
		return;
	proc->nr_maps = 0;
	/* an exec after chroot(): its files are under another root */
	proc->root_state = 0;
	proc->generation++;
}

const struct symbols_map *symbols_find_map(struct symbols_process *proc,
					    uint64_t addr)
{
	size_t lo = 0, hi = proc->nr_maps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (proc->maps[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && addr < proc->maps[lo - 1].end)
		return &proc->maps[lo - 1];
	return NULL;
}

const char *symbols_dso_path(const struct symbols_dso *dso)
{
	return dso->path;
}

int symbols_map_bias(const struct symbols_map *map, uint64_t *bias)
{
	struct symbols_dso *dso = map->dso;

	if (!dso || dso_load(dso))
		return -1;
	if (dso->elf_type == ET_EXEC) {
		*bias = 0;
		return 0;
	}
	for (size_t i = 0; i < dso->nr_loads; i++) {
		const struct dso_load *l = &dso->loads[i];
		uint64_t page_off = l->offset & ~0xfffULL;
		if (map->pgoff >= page_off &&
		    map->pgoff < l->offset + (l->filesz ? l->filesz : 1)) {
			*bias = map->start - map->pgoff - (l->vaddr - l->offset);
			return 0;
		}
	}
	/* a mapping past the file's segments: use the first one's rule */
	*bias = map->start - map->pgoff -
		(dso->loads[0].vaddr - dso->loads[0].offset);
	return 0;
}

int symbols_dso_read(struct symbols_dso *dso, uint64_t vaddr, void *buf,
		     size_t len)
{
	FILE *fp;
	int ret = -1;

	if (dso_load(dso))
		return -1;
	for (size_t i = 0; i < dso->nr_loads; i++) {
		const struct dso_load *l = &dso->loads[i];
		if (vaddr < l->vaddr || vaddr + len > l->vaddr + l->filesz)
			continue;
		fp = file_fopen_regular(dso->path);
		if (!fp)
			return -1;
		if (!fseeko(fp, (off_t)(l->offset + (vaddr - l->vaddr)),
			    SEEK_SET) && fread(buf, 1, len, fp) == len)
			ret = 0;
		fclose(fp);
		return ret;
	}
	return -1;
}

static const char *offset_name(struct symbols *s, const char *module,
			       uint64_t offset)
{
	char buf[4096 + 32];
	const char *base = strrchr(module, '/');

	snprintf(buf, sizeof(buf), "%s+0x%llx", base ? base + 1 : module,
		 (unsigned long long)offset);
	return symbols_intern(s, buf);
}

static void result_reset(struct symbols_result *out)
{
	out->kind = SYMBOLS_UNKNOWN;
	out->name = "[unknown]";
	out->module = "";
	out->address = 0;
	out->symbol_offset = 0;
	out->known = 0;
	out->file = NULL;
	out->line = 0;
	out->nr_inlined = 0;
	out->function = NULL;
}

static int lookup_kernel(struct symbols *s, uint64_t addr,
			 struct symbols_result *out)
{
	struct kernel_symbol k;

	out->kind = SYMBOLS_KERNEL;
	out->module = "[kernel.kallsyms]";
	out->address = addr;
	if ((s->flags & SYMBOLS_NO_KERNEL) || kallsyms_find(s, addr, &k))
		return -1;
	out->name = k.name;
	out->symbol_offset = addr - k.start;
	out->known = 1;
	return 0;
}

static int lookup_jit(struct symbols_process *proc, uint64_t addr,
		      struct symbols_result *out)
{
	const struct jit_symbol *j = jitmap_find(proc, addr);

	if (!j)
		return -1;
	out->kind = SYMBOLS_JIT;
	out->name = j->name;
	out->module = proc->jit->map.size >= 0 ? proc->jit->map.path :
		proc->jit->dump.path;
	out->address = addr;
	out->symbol_offset = addr - j->start;
	out->known = 1;
	return 0;
}

int symbols_lookup(struct symbols *s, pid_t pid, uint64_t addr,
		   unsigned flags, struct symbols_result *out)
{
	struct symbols_process *proc;
	const struct symbols_map *map;
	struct symbols_dso *dso;
	struct dso_symbol *sym;
	uint64_t bias, vaddr, start, look;

	result_reset(out);
	if (addr >= KERNEL_START)
		return lookup_kernel(s, addr, out);
	proc = symbols_find_process(s, pid);
	if (!proc)
		return -1;
	look = (flags & SYMBOLS_LOOKUP_RETURN) && addr ? addr - 1 : addr;
	map = symbols_find_map(proc, look);
	if (!map || !map->dso || symbols_map_bias(map, &bias)) {
		if (!lookup_jit(proc, look, out))
			return 0;
		if (!map)
			return -1;
		out->kind = SYMBOLS_NATIVE;
		out->module = map->path;
		out->address = look - map->start + map->pgoff;
		if (map->path[0])
			out->name = offset_name(s, map->path, out->address);
		return 0;
	}
	dso = map->dso;
	vaddr = look - bias;
	out->kind = SYMBOLS_NATIVE;
	out->module = map->path;
	out->address = vaddr;
	sym = dso_find_symbol(dso, vaddr);
	if (sym) {
		if ((s->flags & SYMBOLS_KEEP_VERSIONS) &&
		    (s->flags & SYMBOLS_NO_DEMANGLE))
			out->name = sym->raw;
		else
			out->name = dso_symbol_name(dso, sym,
					!(s->flags & SYMBOLS_NO_DEMANGLE));
		out->symbol_offset = vaddr - sym->start;
		out->known = 1;
	} else {
		if (dso_fde_start(dso, vaddr, &start))
			start = vaddr;
		out->name = offset_name(s, map->path, start);
		out->symbol_offset = vaddr - start;
	}
	if (flags & (SYMBOLS_LOOKUP_LINES | SYMBOLS_LOOKUP_INLINE))
		dso_lines(s, dso, vaddr, flags, out);
	/* code with line info but no DWARF function (assembly from an older
	 * gas): addr2line names it from the symbol table, its own way */
	if ((flags & SYMBOLS_LOOKUP_INLINE) && !out->function && out->file &&
	    sym && sym->addr2line_name)
		out->function = s->flags & SYMBOLS_NO_DEMANGLE ?
			sym->addr2line_name :
			dso_symbol_name(dso, sym, 1);
	return 0;
}

uint64_t symbols_file_symbol(struct symbols *s, const char *path,
			     const char *name)
{
	struct symbols_dso *dso = dso_get(s, path);

	if (dso_load(dso))
		return 0;
	for (size_t i = 0; i < dso->nr_syms; i++)
		if (!strcmp(dso->syms[i].raw, name))
			return dso->syms[i].start;
	return 0;
}

void symbols_preload(struct symbols *s, pid_t pid)
{
	struct symbols_process *proc = symbols_find_process(s, pid);

	/* only what can run: a file mapped for reading alone (a locale
	 * archive, gconv's cache) holds no code to name or unwind, and
	 * was opened and tried as ELF for nothing */
	for (size_t i = 0; proc && i < proc->nr_maps; i++)
		if (proc->maps[i].dso && (proc->maps[i].prot & PROT_EXEC))
			dso_load(proc->maps[i].dso);
}
