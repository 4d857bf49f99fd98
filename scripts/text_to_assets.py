#!/usr/bin/env python3
"""Moves the `pub const NAME: T = T("中文", "English");` tables of src/ui/text/*.rs into
assets/text/<module>.toml (the words, one table per string) and leaves in the .rs file the
`include!` of what build.rs generates from them. Run it again after merging a branch that added
constants to a text module: new constants move, existing asset entries stay (an entry already in
the asset file is overwritten by the code's, so the merge's words win).

    python3 scripts/text_to_assets.py
"""
import glob, os, re, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIT = r'"(?:[^"\\]|\\.)*"'
ITEM = re.compile(
    r'((?:[ \t]*//[^\n]*\n)*)[ \t]*pub const (\w+): T = T\(\s*(' + LIT + r')\s*,\s*(' + LIT +
    r')\s*,?\s*\);\n', re.S)
INCLUDE = 'include!(concat!(env!("OUT_DIR"), "/text/{}.rs"));\n'


def unrust(lit):
    s, out, i = lit[1:-1], [], 0
    while i < len(s):
        c = s[i]
        if c != '\\':
            out.append(c); i += 1; continue
        n = s[i + 1]
        if n == '\n':
            i += 2
            while i < len(s) and s[i] in ' \t\n':
                i += 1
            continue
        if n == 'u':
            j = s.index('}', i)
            out.append(chr(int(s[i + 3:j], 16))); i = j + 1; continue
        out.append({'n': '\n', 't': '\t', '\\': '\\', '"': '"', "'": "'", '0': '\0', 'r': '\r'}[n])
        i += 2
    return ''.join(out)


def toml_str(s):
    out = []
    for c in s:
        if c == '\\': out.append('\\\\')
        elif c == '"': out.append('\\"')
        elif c == '\n': out.append('\\n')
        elif c == '\t': out.append('\\t')
        elif ord(c) < 0x20 or ord(c) == 0x7f: out.append('\\u%04x' % ord(c))
        else: out.append(c)
    return '"' + ''.join(out) + '"'


def read_assets(path):
    """The names already in an asset file, in order (to keep entries the code no longer has)."""
    if not os.path.exists(path):
        return ''
    return open(path, encoding='utf-8').read()


def main():
    moved = 0
    for rs in sorted(glob.glob(os.path.join(ROOT, 'src/ui/text/*.rs'))):
        module = os.path.splitext(os.path.basename(rs))[0]
        # text/mod.rs holds the common words (module `t`).
        module = 'common' if module == 'mod' else module
        src = open(rs, encoding='utf-8').read()
        items = list(ITEM.finditer(src))
        if not items:
            continue
        asset = os.path.join(ROOT, 'assets/text', module + '.toml')
        old = read_assets(asset)
        entries = []
        for m in items:
            comments, name, zh, en = m.group(1), m.group(2), unrust(m.group(3)), unrust(m.group(4))
            lines = []
            for c in comments.splitlines():
                c = c.strip()
                if c.startswith('///'):
                    lines.append('# ' + c[3:].strip())
                elif c.startswith('//'):
                    lines.append('# —— ' + c[2:].strip())
            entries.append((name, lines, zh, en))
        names = {e[0] for e in entries}
        # Entries only the asset file has stay, after the moved ones.
        kept = []
        for block in re.split(r'\n(?=(?:#[^\n]*\n)*\[)', old):
            m = re.search(r'^\[(\w+)\]', block, re.M)
            if m and m.group(1) not in names:
                kept.append(block.strip('\n'))
        out = []
        if not old:
            out.append('# Words of src/ui/text/%s: each [NAME] is a constant `NAME: T` there, in\n'
                       '# Chinese (zh) and English (en). Embedded at build time (build.rs).\n' % os.path.basename(rs))
        else:
            head = old.split('\n[')[0]
            head = '\n'.join(l for l in head.splitlines() if l.startswith('# Words of') or
                             l.startswith('# Chinese') or l.startswith('# Embedded'))
            out.append(head + '\n')
        existing = {}
        for block in re.split(r'\n(?=(?:#[^\n]*\n)*\[)', old):
            m = re.search(r'^\[(\w+)\]', block, re.M)
            if m:
                existing[m.group(1)] = block.strip('\n')
        for name, lines, zh, en in entries:
            out.append('\n'.join(lines + ['[%s]' % name, 'zh = ' + toml_str(zh),
                                          'en = ' + toml_str(en)]))
        out.extend(kept)
        os.makedirs(os.path.dirname(asset), exist_ok=True)
        open(asset, 'w', encoding='utf-8').write('\n\n'.join(o.strip('\n') for o in out) + '\n')
        # The code: the first constant's place takes the include, the others go.
        first = items[0].start()
        inc = INCLUDE.format(module)
        indent = re.match(r'[ \t]*', src[items[0].start() + len(items[0].group(1)):]).group(0)
        body = ITEM.sub('', src[first:])
        rest = src[:first]
        if inc.strip() not in src:
            rest += indent + '// The words: assets/text/%s.toml (build.rs).\n' % module + indent + inc
        src = rest + body
        src = re.sub(r'\n{3,}', '\n\n', src)
        open(rs, 'w', encoding='utf-8').write(src)
        moved += len(items)
        print('%s: %d strings -> %s' % (os.path.relpath(rs, ROOT), len(items),
                                          os.path.relpath(asset, ROOT)))
    print('moved', moved)


if __name__ == '__main__':
    main()
