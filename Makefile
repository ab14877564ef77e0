# integstat: the two commands a fresh machine needs are `make demo` and `make test`.
GO        ?= go
BIN       := bin/integstat
DEMO_DIR  ?= demo-data
SEED      ?= 1
SCALE     ?= 1

.PHONY: all build demo test test-short bench lint clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/integstat

# demo: generate the demo registers if absent, then run the pipeline as far as it exists.
demo: build
	@if [ ! -f $(DEMO_DIR)/inbox/.complete ]; then \
		echo "generating demo registers in $(DEMO_DIR) (seed $(SEED), scale $(SCALE))"; \
		rm -rf $(DEMO_DIR); \
		./$(BIN) generate --out $(DEMO_DIR) --seed $(SEED) --scale $(SCALE); \
	else echo "demo registers already in $(DEMO_DIR) (delete it to regenerate)"; fi
	./$(BIN) demo-report --out $(DEMO_DIR)

# test: every test, including the ones that start real servers (see .ci/run for what they need).
test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 40m ./...

bench: build
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m ./...
	./scripts/bench.sh

lint:
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@2025.1.1 ./...

clean:
	rm -rf bin $(DEMO_DIR)
