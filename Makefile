# duet — build, test and run.
#   make            build build/duet (installs missing Debian packages first)
#   make check      build and run every test; ends with "N passed, N failed"
#   make run        build, create duet.db with the demo programme and its sign-ins,
#                   and serve the web application on http://127.0.0.1:8080/ (LISTEN=...)
#   make SANITIZE=1 check   the same suite under AddressSanitizer + UBSan
#   make MPI=1      build with Open MPI for `mpirun -n P duet sweep`

SANITIZE ?= 0
MPI      ?= 0
DB       ?= duet.db
LISTEN   ?= 127.0.0.1:8080

ifeq ($(MPI),1)
BUILD    ?= build-mpi
endif
ifeq ($(SANITIZE),1)
BUILD    ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT      := -O1
else
BUILD    ?= build
SANFLAGS :=
OPT      := -O2
endif

PKGS     := sqlite3 jansson libsodium gsl libmicrohttpd libxml-2.0 libzip
CC       ?= cc
CFLAGS   ?=
CFLAGS   += -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation -g $(OPT) -fopenmp -Isrc $(SANFLAGS)
LDLIBS   += -lm -fopenmp $(SANFLAGS)

ifeq ($(MPI),1)
CC       := mpicc
CFLAGS   += -DDUET_MPI=1
endif

STAMP    := $(BUILD)/.deps-ok
LIB_SRC  := $(wildcard src/core/*.c src/io/*.c src/model/*.c src/stats/*.c \
                       src/store/*.c src/app/*.c src/analysis/*.c src/web/*.c)
CLI_SRC  := $(wildcard src/cli/*.c)
TEST_SRC := $(wildcard tests/unit/test_*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/instrument_default.o $(BUILD)/gen/openapi.o \
            $(patsubst src/store/migrations/%.sql,$(BUILD)/gen/migration_%.o,$(wildcard src/store/migrations/*.sql))
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TESTS    := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIB      := $(BUILD)/libduet.a
BIN      := $(BUILD)/duet
ASSETS   := $(BUILD)/assets/manifest.txt

.PHONY: all deps check run demo clean bench assets
all: $(BIN) $(ASSETS)
assets: $(ASSETS)

# Packages are checked once per build folder; delete the stamp to check again.
$(STAMP): deps/debian-packages.txt scripts/install-deps.sh
	@mkdir -p $(BUILD)
	@sh scripts/install-deps.sh
	@touch $@

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))

$(BUILD)/%.o: %.c | $(STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

# The default instrument ships inside the binary, generated from its JSON file.
$(BUILD)/gen/instrument_default.c: data/instruments/partnership-checkin.json scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh instrument_default_json $< > $@

# The API description served at /api/v1/openapi.json is docs/openapi.json.
$(BUILD)/gen/openapi.c: docs/openapi.json scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh openapi_json $< > $@

# Front-end assets: npm ci from the committed lock file, then the files the
# server serves (scripts/assets.sh writes their manifest last).
$(ASSETS): package.json package-lock.json scripts/assets.sh $(wildcard web/static/* web/scss/*) | $(STAMP)
	sh scripts/assets.sh $(BUILD)/assets

# Schema migrations are embedded the same way: 001_initial.sql -> migration_001_initial.
$(BUILD)/gen/migration_%.c: src/store/migrations/%.sql scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh migration_$(subst -,_,$*) $< > $@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) -o $@ $(CLI_OBJ) $(LIB) $(PKG_LIBS) $(LDLIBS)

# Every unit test links the shared helpers of tests/unit/testlib.c (built once).
TESTLIB  := $(BUILD)/tests/testlib.o
$(TESTLIB): tests/unit/testlib.c tests/unit/testlib.h | $(STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(shell pkg-config --cflags cmocka) -c $< -o $@

$(BUILD)/tests/%: tests/unit/%.c tests/unit/testlib.h $(TESTLIB) $(LIB) | $(STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(shell pkg-config --cflags cmocka) -o $@ $< $(TESTLIB) $(LIB) \
	    $(PKG_LIBS) $(shell pkg-config --libs cmocka) $(LDLIBS)

# With Open MPI present, check also builds build-mpi/duet so the tests can
# compare sweeps across MPI processes.
check: $(BIN) $(ASSETS) $(TESTS)
	@if command -v mpicc >/dev/null 2>&1 && [ "$(MPI)" != 1 ]; then \
	    $(MAKE) --no-print-directory MPI=1 SANITIZE=0 BUILD=build-mpi build-mpi/duet >/dev/null; fi
	@DUET_MPI="$$( [ -x build-mpi/duet ] && echo "$(CURDIR)/build-mpi/duet" )" sh tests/run.sh $(BUILD)

run: $(BIN) $(ASSETS)
	@sh scripts/run.sh $(BIN) $(DB) $(LISTEN)

bench: $(BIN)
	@echo "see bench/README.md: each bench/<name>/run.sh records figures for bench/RESULTS.md"

clean:
	rm -rf build build-san build-mpi build-fuzz node_modules

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
.SECONDARY:

# --- model/sim.c (the pair identity model): per-file flags. FMA contraction
# only takes effect in its AVX2+FMA kernel; no errno from sqrt lets sqrt
# vectorise. Results stay within 1e-9 of the scalar path (see sim.c). ---
$(BUILD)/src/model/sim.o: CFLAGS += -ffp-contract=fast -fno-math-errno
