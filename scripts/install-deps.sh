#!/bin/sh
# install-deps.sh - install the Debian 12 packages smtpsim needs, only when missing.
#
# Usage: scripts/install-deps.sh [build|test]
#   build: libraries and headers for `make` / `make run`
#   test:  also cmocka, clang (fuzzer), and the real SMTP, POP3 and IMAP peers the interop
#          tests use (fetchmail among them)
#   bench: also dovecot-imapd, which `make bench` starts on loopback beside `serve --role imap`
#          (never as a system service)
# As root it runs apt-get itself; otherwise it prints the exact sudo command and fails.
set -eu

what=${1:-build}
build_pkgs="pkg-config libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev libcjson-dev libssl-dev"
test_pkgs="libcmocka-dev clang libclang-rt-14-dev valgrind mutt tmux fetchmail swaks libnet-ssleay-perl libio-socket-ssl-perl postfix python3-aiosmtpd curl tshark openssl xxd libxml2-utils"

pkgs=$build_pkgs
[ "$what" = test ] && pkgs="$build_pkgs $test_pkgs"
[ "$what" = bench ] && pkgs="$build_pkgs $test_pkgs dovecot-imapd"

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "smtpsim: installing missing Debian packages:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
    echo "smtpsim: not root; please run:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# postfix and dovecot must never start their services here: policy-rc.d 101 forbids service starts during install.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    cleanup_policy=1
fi
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections 2>/dev/null || true
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends $missing >/dev/null
[ "${cleanup_policy:-0}" = 1 ] && rm -f /usr/sbin/policy-rc.d
exit 0
