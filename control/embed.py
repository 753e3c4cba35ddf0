#!/usr/bin/env python3
"""Embed a text file as a C string: embed.py INPUT OUTPUT SYMBOL."""
import sys

src, dst, sym = sys.argv[1:4]
data = open(src, 'rb').read()
with open(dst, 'w') as f:
    f.write('/* Generated from %s by embed.py: do not edit. */\n' % src.split('/')[-1])
    f.write('#include <stddef.h>\n')
    f.write('const char %s[] =\n' % sym)
    for i in range(0, len(data), 16):
        chunk = data[i:i + 16]
        f.write('\t"' + ''.join('\\x%02x' % b for b in chunk) + '"\n')
    f.write('\t;\n')
    f.write('const size_t %s_len = %d;\n' % (sym, len(data)))
