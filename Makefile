# The whole set-up on a fresh machine is `make serve` or `make test`: each installs what is
# missing (scripts/setup.sh) and then does its job.
.PHONY: serve test build bench

serve:
	scripts/setup.sh serve
	scripts/serve.sh

test:
	scripts/setup.sh test
	scripts/test.sh

build:
	scripts/setup.sh build
	scripts/build.sh

# Every performance budget, one line each (figure, budget, baseline, ok or FAIL).
bench:
	scripts/setup.sh test
	scripts/bench.sh
