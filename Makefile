# CubeGen — the two commands a new user needs, plus a few helpers.
.PHONY: demo test test-quick test-s3 build bench bench-s3 bench-batch fuzz clean

demo:            ## Build the demo cube into demo/cubegen-demo-laea.zarr (installs what it needs)
	scripts/demo.sh

test:            ## Run every test: Swift suites + xarray/schema/CLI oracle tests (installs what it needs)
	scripts/test.sh

test-quick:      ## Quick tier for iteration: build, Swift suites, fuzz replays; SWIFT_TEST_FILTER=… narrows, PYTEST="Tests/interop/test_x.py" adds oracle tests
	scripts/test-quick.sh

test-s3:         ## Storage suites against a throw-away S3 service (SeaweedFS on loopback) + botocore signer cross-check
	scripts/test-s3.sh

build:           ## Debug build of everything
	scripts/setup-deps.sh
	swift build

bench:           ## Reference workloads T1 and T2 at size S (SIZE=M for M); needs ../shared/bench
	scripts/bench.sh $(or $(SIZE),S)

bench-s3:        ## T1 to local disk, S3 Zarr v2, S3 Zarr v3 sharded and xarray+s3fs (peer) on a throw-away SeaweedFS (SIZE=M for M)
	scripts/bench-s3.sh $(or $(SIZE),S)

bench-batch:     ## T1 resumable/sharded figures: manifest overhead, up-to-date check, resume after kill -9 at 50 %, 2 shards vs 1 process (SIZE=S for S; default M)
	scripts/bench-batch.sh $(or $(SIZE),M)

fuzz:            ## libFuzzer + ASan on the parsers, FUZZ_SECONDS per target (default 60)
	scripts/fuzz.sh

clean:
	rm -rf .build .build-fuzz demo .venv-oracle
