# Compiler settings shared by every userspace Makefile (tools/, selftests/).
# HDR is the uAPI header install of our kernel (make headers); BIN is where
# binaries go. Both come from the top-level Makefile.
HDR ?= $(abspath ../.cache/headers)
BIN ?= $(abspath ../.cache/bin)

CC      ?= gcc
CFLAGS  := -std=c11 -O2 -g -Wall -Wextra -Werror \
           -isystem $(HDR)/include -MMD -MP
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=all

# $(call link,OUTPUT,SOURCES[,EXTRA FLAGS]) builds one program from sources.
link = @mkdir -p $(dir $(1)) && echo "  CC      $(notdir $(1))" && \
       $(CC) $(CFLAGS) $(3) -MF $(1).d -o $(1) $(2)
