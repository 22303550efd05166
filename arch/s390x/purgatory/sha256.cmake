# SPDX-License-Identifier: GPL-2.0-only
# With 16 registers the rounds spill; measured with bench, GCC 12 spills least when it keeps the
# additions in source order (no reassociation) and renames registers after allocation.
set(STYX_SHA256_FLAGS -fno-tree-reassoc -frename-registers)
