# The two Quick start commands: `make demo` and `make test`.
# Both install what they need into .venv first (pinned by constraints.txt).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install demo test quick bench clean

install: $(INSTALLED)

# The editable install runs setup.py's build step, as a wheel build does: `npm ci`
# when node_modules lacks the socket.io-client package-lock.json pins, then its
# copy into pwa/vendor/ (docs/packaging.md).
$(INSTALLED): pyproject.toml setup.py constraints.txt package.json package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

# Browser tests drive Debian's chromium (Playwright never downloads a browser here).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core

demo: install
	$(BIN)/lanebox demo

# The multi-worker hub tests run the repository's nginx config with Debian's nginx.
NGINX := /usr/sbin/nginx
$(NGINX):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx

# The camera tests start their own MQTT broker with Debian's mosquitto.
MOSQUITTO := /usr/sbin/mosquitto
$(MOSQUITTO):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto

# The service units are checked with systemd-analyze verify.
SYSTEMD_ANALYZE := /usr/bin/systemd-analyze
$(SYSTEMD_ANALYZE):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd

# The accessibility checks run axe-core, an npm dev dependency (the build's `npm ci`
# installs it; a checkout whose node_modules predates it gets it here).
AXE := node_modules/axe-core/axe.min.js
$(AXE): package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

# Four workers on the machine's two cores: much of a test's time is waiting (for a
# lane process, a browser, a timer), and worksteal hands a finished worker what
# another has left. The few tests that announce on loopback mDNS or start a
# mosquitto wait for each other (a lock in tests/conftest.py).
test: install $(CHROMIUM) $(NGINX) $(MOSQUITTO) $(SYSTEMD_ANALYZE) $(AXE)
	$(BIN)/python -m pytest -q -n 4 --dist worksteal

# The quick loop while working: no browser, no PostgreSQL, Redis or nginx (docs/testing.md).
quick: install
	$(BIN)/python -m pytest -q -m "not browser and not postgres and not redis and not nginx"

bench: install
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
