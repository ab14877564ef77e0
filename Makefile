# integstat. On a fresh machine: `make demo` runs the main job on the
# embedded default (generated demo registers), `make test` runs every test.
GO        ?= go
BIN       := bin/integstat
DEMO_DIR  ?= demo-data
SEED      ?= 1
SCALE     ?= 1
BENCH_SCALES ?= 1 10

.PHONY: all build demo test test-short test-seeds bench lint clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/integstat

# demo: generate the demo registers if absent, check them against every
# figure IMDi published, then run the main job on them: ingest, build and
# publish the marts.
demo: build
	@if [ ! -f $(DEMO_DIR)/.complete ]; then \
		rm -rf $(DEMO_DIR); \
		echo "== generating the demo registers in $(DEMO_DIR) (seed $(SEED), scale $(SCALE)); about two minutes"; \
		./$(BIN) generate --out $(DEMO_DIR) --seed $(SEED) --scale $(SCALE); \
	else echo "== demo registers already in $(DEMO_DIR) (delete the folder to generate them anew)"; fi
	@echo "== published figures, computed from the deliveries less the planted faults"
	./$(BIN) figures --inbox $(DEMO_DIR)/inbox --answer-key $(DEMO_DIR)/answer-key/faults.csv
	@mkdir -p $(DEMO_DIR)/warehouse/restricted && chmod 700 $(DEMO_DIR)/warehouse/restricted
	@if [ ! -f $(DEMO_DIR)/warehouse/restricted/key ]; then 		echo "== no key given: making the demo's own in $(DEMO_DIR)/warehouse/restricted/key"; 		./$(BIN) keygen $(DEMO_DIR)/warehouse/restricted/key; fi
	@echo "== run: ingest (verify, validate, quarantine, pseudonymise, Parquet), compute every data state, test, protect, publish"
	./$(BIN) run --inbox $(DEMO_DIR)/inbox --warehouse $(DEMO_DIR)/warehouse \
		--key-file $(DEMO_DIR)/warehouse/restricted/key --allow-synthetic-ids
	@echo "== results: deliveries in $(DEMO_DIR)/inbox (planted faults: $(DEMO_DIR)/answer-key/faults.csv),"
	@echo "   warehouse in $(DEMO_DIR)/warehouse: marts/publisert.duckdb (the portal's, protected) and"
	@echo "   marts/analyse.duckdb (restricted), Parquet in parquet/, quarantine in restricted/;"
	@echo "   the ledger: ./$(BIN) runs --warehouse $(DEMO_DIR)/warehouse; the models: ./$(BIN) models"
	@echo "   preliminary 2017 figures: ./$(BIN) run --warehouse $(DEMO_DIR)/warehouse --as-of 2017-12-31"

# test: every test, including those that start a real PostgreSQL server and
# run NAV's validator under Node (.ci/run installs both on a clean machine).
test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 40m ./...

# test-short: the quick tests only (skips generating full-scale demo sets).
test-short:
	$(GO) test -short -count=1 ./...

# test-seeds: the calibration test on other seeds (minutes each): run it
# when the demo generator changes.
TEST_SEEDS ?= 2 3
test-seeds:
	INTEGSTAT_TEST_SEEDS="$(TEST_SEEDS)" $(GO) test -count=1 -timeout 40m -run '^TestPublishedFigures$$' -v ./demo

# bench: Go benchmarks, then at growing scale: generate and ingest (rows/s,
# peak memory, against DuckDB's one-liner), and the full and incremental
# build of the marts (seconds, peak memory).
bench: build
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m ./...
	BIN=$(BIN) ./scripts/bench.sh $(BENCH_SCALES)
	BIN=$(BIN) ./scripts/bench-marts.sh $(BENCH_SCALES)

lint:
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

clean:
	rm -rf bin $(DEMO_DIR)
