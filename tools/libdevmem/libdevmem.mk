# libdevmem: tools/libdevmem/*.c built into $(BIN)/lib as a static library
# (what our tools and tests link) and a shared one exporting exactly the
# DEVMEM_API functions of devmem.h, without the tests' replay. Included by tools/Makefile and
# selftests/Makefile after userspace.mk.
LIBDEVMEM_DIR   := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
LIBDEVMEM_SRCS  := $(sort $(wildcard $(LIBDEVMEM_DIR)/*.c))
LIBDEVMEM_OBJS  := $(call objs,$(LIBDEVMEM_SRCS))
# The version is devmem.h's; the soname follows its major number.
libdevmem_ver    = $(shell sed -n 's/^\#define DEVMEM_VERSION_$(1) //p' $(LIBDEVMEM_DIR)/devmem.h)
LIBDEVMEM_MAJOR := $(call libdevmem_ver,MAJOR)
LIBDEVMEM_VER   := $(LIBDEVMEM_MAJOR).$(call libdevmem_ver,MINOR).$(call libdevmem_ver,PATCH)
LIBDEVMEM_A     := $(BIN)/lib/libdevmem.a
LIBDEVMEM_SO    := $(BIN)/lib/libdevmem.so.$(LIBDEVMEM_VER)
LIBDEVMEM_SONAME := libdevmem.so.$(LIBDEVMEM_MAJOR)

# Position independent for the shared library; hidden unless DEVMEM_API.
$(LIBDEVMEM_OBJS): CFLAGS += -fPIC -fvisibility=hidden $(NL_CFLAGS)

$(LIBDEVMEM_A): $(LIBDEVMEM_OBJS)
	@mkdir -p $(dir $@) && echo "  AR      $(notdir $@)"
	@rm -f $@ && ar rcs $@ $^

# The replay of recorded kernel replies is for host tests (testing.h).
$(LIBDEVMEM_SO): $(filter-out %/nl_replay.o,$(LIBDEVMEM_OBJS))
	@mkdir -p $(dir $@) && echo "  LD      $(notdir $@)"
	@$(CC) -shared -Wl,-soname,$(LIBDEVMEM_SONAME) -Wl,--no-undefined \
		-o $@ $^ $(NL_LIBS)
	@ln -sf $(notdir $@) $(BIN)/lib/$(LIBDEVMEM_SONAME)
	@ln -sf $(LIBDEVMEM_SONAME) $(BIN)/lib/libdevmem.so
