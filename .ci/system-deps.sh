#!/usr/bin/env bash
# The system packages Co-production Canvas needs, in one list shared by `make run`,
# `make test` and `.ci/run` (so the three cannot drift apart).
#
#   .ci/system-deps.sh [--check] [run|test]
#
# run   what the app needs to open its window, speak and hear (the default)
# test  run's packages plus what the test suite needs (a virtual display, PostgreSQL)
#
# Without --check: install whatever is missing with apt-get (as root, else through sudo),
# saying what and why; what is present is never reinstalled. One dpkg-query call decides,
# so with everything present this costs a few milliseconds.
# With --check: print each missing package with its reason, exit 1 if any is missing.
# On a system without dpkg/apt it prints one line saying what to install and exits 0.
set -uo pipefail

check=0
set_name=run
for arg in "$@"; do
    case "$arg" in
        --check) check=1 ;;
        run | test) set_name="$arg" ;;
        *) echo "usage: $0 [--check] [run|test]" >&2; exit 2 ;;
    esac
done

# package|why it is needed (the reason is printed next to each package installed).
# "a b|why": either package will do (Ubuntu 24.04 renamed some libraries with a t64 suffix);
# the first one apt can install is the one installed.
RUN_PACKAGES=(
    "libegl1|Qt draws the window with EGL/OpenGL"
    "libgl1|Qt draws the window with EGL/OpenGL"
    "libfontconfig1|Qt finds fonts"
    "fonts-dejavu-core|a font: without one Qt draws every letter as a box"
    "libdbus-1-3|Qt talks to the desktop (accessibility, menus)"
    "libglib2.0-0t64 libglib2.0-0|Qt's event loop on Linux"
    "libx11-xcb1|Qt's xcb window plugin"
    "libxkbcommon0|Qt reads the keyboard (switches that send keys)"
    "libxkbcommon-x11-0|Qt reads the keyboard (switches that send keys)"
    "libxcb-cursor0|Qt's xcb window plugin (Qt 6.5+ will not start without it)"
    "libxcb-icccm4|Qt's xcb window plugin"
    "libxcb-keysyms1|Qt's xcb window plugin"
    "libxcb-image0|Qt's xcb window plugin"
    "libxcb-render-util0|Qt's xcb window plugin"
    "libxcb-xinerama0|Qt's xcb window plugin"
    "libxcb-xkb1|Qt's xcb window plugin"
    "libxcb-shape0|Qt's xcb window plugin"
    "libxcb-randr0|Qt's xcb window plugin"
    "espeak-ng|speech output (pyttsx3 speaks through espeak-ng)"
    "libespeak-ng1|speech output (pyttsx3 speaks through espeak-ng)"
    "alsa-utils|speech output is played with aplay"
    "libportaudio2|voice input: sounddevice records the microphone through PortAudio"
)
TEST_PACKAGES=(
    "xvfb|the tests and screenshots run on a virtual display"
    "xauth|the tests and screenshots run on a virtual display"
    "postgresql|the store and service tests also run on PostgreSQL"
    "desktop-file-utils|the tests check the menu entry with desktop-file-validate"
)

wanted=("${RUN_PACKAGES[@]}")
if [ "$set_name" = test ]; then wanted+=("${TEST_PACKAGES[@]}"); fi
# python3-venv only where the Python in use cannot make a virtual environment by itself (none
# at all is no reason: the built app, which carries its own Python, runs this script too).
python="${PYTHON:-python3}"
if command -v "$python" > /dev/null 2>&1 && ! "$python" -c "import ensurepip, venv" > /dev/null 2>&1; then
    wanted+=("python3-venv|make sets up .venv with python3 -m venv")
fi

names=()
for entry in "${wanted[@]}"; do
    read -r -a alternatives <<< "${entry%%|*}"
    names+=("${alternatives[@]}")
done

if ! command -v dpkg-query > /dev/null 2>&1 || ! command -v apt-get > /dev/null 2>&1; then
    echo "system-deps: not a Debian or Ubuntu system; install with your package manager: ${names[*]}"
    exit 0
fi

# One call for every package: "name status" for those dpkg knows; unknown ones print nothing.
declare -A installed=()
while read -r name status; do
    [ "${status:0:2}" = "ii" ] && installed["${name%%:*}"]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${names[@]}" 2> /dev/null)

missing=()  # one entry per need: "a" or "a b" (alternatives)
reasons=()
for entry in "${wanted[@]}"; do
    read -r -a alternatives <<< "${entry%%|*}"
    found=0
    for name in "${alternatives[@]}"; do [ -n "${installed[$name]:-}" ] && found=1; done
    if [ "$found" = 0 ]; then
        missing+=("${entry%%|*}")
        reasons+=("${alternatives[*]// / or }: ${entry#*|}")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

if [ "$check" = 1 ]; then
    echo "system-deps: missing ${#missing[@]} package(s):"
    printf '  %s\n' "${reasons[@]}"
    exit 1
fi

echo "system-deps: installing ${#missing[@]} missing system package(s) with apt-get:"
printf '  %s\n' "${reasons[@]}"
if [ "$(id -u)" = 0 ]; then
    as_root=()
elif command -v sudo > /dev/null 2>&1; then
    as_root=(sudo)
    echo "system-deps: (through sudo; it may ask for your password)"
else
    echo "system-deps: not root and no sudo: as root, run: apt-get install ${missing[*]%% *}"
    exit 0
fi
if ! "${as_root[@]}" apt-get update -qq; then
    echo "system-deps: apt-get update failed; as root, run: apt-get install ${missing[*]%% *}" >&2
    exit 1
fi
chosen=()
for need in "${missing[@]}"; do
    read -r -a alternatives <<< "$need"
    pick="${alternatives[0]}"
    if [ "${#alternatives[@]}" -gt 1 ]; then
        for name in "${alternatives[@]}"; do
            if apt-cache policy "$name" 2> /dev/null | grep -q 'Candidate: [^(]'; then pick="$name"; break; fi
        done
    fi
    chosen+=("$pick")
done
if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${chosen[@]}" > /dev/null; then
    echo "system-deps: apt-get failed; as root, run: apt-get install ${chosen[*]}" >&2
    exit 1
fi
echo "system-deps: installed ${chosen[*]}"
