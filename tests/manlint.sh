#!/bin/sh
# The man pages are the contract: they must render without a warning.
# mandoc -Tlint (style notes and the undated .Dd aside) and groff -ww.
set -eu
status=0
for page in "$@"; do
    out=$(mandoc -Tlint "$page" 2>&1 | grep -vE 'STYLE|cannot parse date' || true)
    if [ -n "$out" ]; then
        printf '%s\n' "$out"
        status=1
    fi
    out=$(groff -ww -z -man "$page" 2>&1 || true)
    if [ -n "$out" ]; then
        printf '%s: groff: %s\n' "$page" "$out"
        status=1
    fi
done
[ "$status" = 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit "$status"
