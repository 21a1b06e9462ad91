# need.sh: sourced by test.sh and bench.sh. need CHECK PACKAGE WHY runs the shell test
# CHECK and, when it fails, installs the Debian PACKAGE as root (apt-get) or stops with
# the command to run.
need() {
	local check=$1 pkg=$2 why=$3
	if bash -c "$check" >/dev/null 2>&1; then
		return
	fi
	if [ "$(id -u)" = 0 ]; then
		echo "== installing $pkg (apt-get): $why"
		apt-get update -qq && apt-get install -y -qq --no-install-recommends "$pkg"
	else
		echo "$why: install with: sudo apt-get install -y --no-install-recommends $pkg" >&2
		exit 1
	fi
}
