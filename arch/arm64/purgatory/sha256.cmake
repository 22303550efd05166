# SPDX-License-Identifier: GPL-2.0-only
# Measured with bench: keeping the additions in source order spills a little less on arm64.
set(STYX_SHA256_FLAGS -fno-tree-reassoc)
