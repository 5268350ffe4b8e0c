#!/usr/bin/env bash
# Install and start what the tests talk to: headless Chromium (Debian packages, never a browser
# download), LibreOffice Writer (renders the DOCX contract reports to PDF in tests) and the local
# PostgreSQL on 127.0.0.1:5432 with database `test`.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need=()
[ -x /usr/bin/chromium ] || need+=(chromium chromium-driver)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)  # Chinese in screenshots
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)  # DOCX report → PDF → PNG
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  echo ">> apt-get install ${need[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo ">> starting PostgreSQL"
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if pg_isready -q -h 127.0.0.1 -p 5432; then
  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE test" >/dev/null \
    || echo "!! could not create database 'test'; PostgreSQL tests will say why they skip"
else
  echo "!! PostgreSQL does not answer on 127.0.0.1:5432; PostgreSQL tests will be skipped with the reason"
fi
