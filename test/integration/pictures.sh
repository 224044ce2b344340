#!/usr/bin/env bash
# The pictures the READMEs show (issue 18): every picture that README.md,
# examples/demo/README.md and bench/README.md link (`](x.svg)` or
# `<img src="x.svg">`) is in the
# tree (not a URL), is well-formed XML and is an SVG; the demo's README
# shows its five steps, bench/README.md the seven headline charts, README.md
# at least one of them; a copy of README.md or examples/demo/README.md
# linking a missing, a broken or a non-SVG picture is caught. And the
# capture script runs without the demo: `examples/demo/capture --from`
# renders a session the test records, with hostile bytes (NUL, escape
# sequences, invalid UTF-8, <script>, ]]>, a 5000-character line, 100
# lines, exit status 7), into well-formed SVG that holds the text escaped
# and the status, no <script> element, and is the same bytes on a second
# run; the edges (40 and 41 lines, CR and tab, a 2 MiB line without a
# newline); and a folder without steps is refused.
. "$TOP_SRCDIR/test/lib.sh"
need_cmd /usr/bin/python3 od awk

capture=$TOP_SRCDIR/examples/demo/capture
tmp=$(mktmp)

# svg_ok FILE: well-formed XML (expat) whose root is an SVG element.
svg_ok() {
	/usr/bin/python3 - "$1" <<'EOT' 2>/dev/null
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
sys.exit(0 if root.tag == "{http://www.w3.org/2000/svg}svg" else 1)
EOT
}

# links MARKDOWN: the .svg targets it links, one a line.
links() {
	{
		grep -o '](\s*[^)[:space:]]*\.svg\s*)' "$1" | sed 's/^](\s*//; s/\s*)$//'
		grep -oi '<img[^>]*src=["'\'']\?[^"'\'' >]*\.svg' "$1" | sed 's/.*src=["'\'']\?//I'
	} | sort -u
}

# check_links MARKDOWN BASEDIR: every picture linked exists under BASEDIR and
# is an SVG; prints what is wrong, fails when anything is.
check_links() {
	local md=$1 base=$2 l bad=0
	while IFS= read -r l; do
		case $l in http://*|https://*) echo "$md: $l: not a picture of the tree"; bad=1; continue;; esac
		if [ ! -f "$base/$l" ]; then echo "$md: $l: missing"; bad=1
		elif ! svg_ok "$base/$l"; then echo "$md: $l: not well-formed SVG"; bad=1
		fi
	done < <(links "$md")
	return $bad
}

for md in README.md examples/demo/README.md bench/README.md; do
	n=$(links "$TOP_SRCDIR/$md" | grep -c . || true)
	if out=$(check_links "$TOP_SRCDIR/$md" "$(dirname "$TOP_SRCDIR/$md")"); then
		ok "$md: its $n linked pictures are in the tree and are SVG"
	else
		fail "$md: $out"
	fi
done
n=$(links "$TOP_SRCDIR/examples/demo/README.md" | grep -c . || true)
check "examples/demo/README.md shows the demo's five steps" test "$n" -ge 5
# The headline charts of bench/charts: README.md shows some, bench/README.md all.
n=$(links "$TOP_SRCDIR/bench/README.md" | grep -c '^pictures/.*\.svg$' || true)
check "bench/README.md shows the seven headline charts" test "$n" -ge 7
n=$(links "$TOP_SRCDIR/README.md" | grep -c '^bench/pictures/.*\.svg$' || true)
check "README.md shows charts of the headline run" test "$n" -ge 1

# The check itself: a copy of each README linking what is not there, or not
# an SVG, must fail (the real README is not touched).
printf '<svg xmlns="http://www.w3.org/2000/svg"><text>cut' >"$tmp/broken.svg"
printf '<?xml version="1.0"?>\n<html><body/></html>\n' >"$tmp/html.svg"
for md in README.md examples/demo/README.md; do
	base=$(dirname "$TOP_SRCDIR/$md")
	cp "$TOP_SRCDIR/$md" "$tmp/copy.md"
	printf '\n![gone](pictures/gone-%s.svg)\n' "$TID" >>"$tmp/copy.md"
	out=$(check_links "$tmp/copy.md" "$base") && fail "$md + a missing picture: passed" ||
		check_eq "$md + a missing picture: caught" "$tmp/copy.md: pictures/gone-$TID.svg: missing" "$out"
	cp "$TOP_SRCDIR/$md" "$tmp/copy.md"
	printf '\n<img src="%s/broken.svg" alt="x">\n' "$tmp" >>"$tmp/copy.md"
	# (base /: the copy's own relative links are missing there, and said so)
	out=$(check_links "$tmp/copy.md" /) && fail "$md + a cut SVG: passed" ||
		check "$md + a cut SVG: caught" grep -qxF "$tmp/copy.md: $tmp/broken.svg: not well-formed SVG" <<<"$out"
	cp "$TOP_SRCDIR/$md" "$tmp/copy.md"
	printf '\n![x](%s/html.svg)\n' "$tmp" >>"$tmp/copy.md"
	out=$(check_links "$tmp/copy.md" /) && fail "$md + an HTML file named .svg: passed" ||
		check "$md + an HTML file named .svg: caught" grep -qxF "$tmp/copy.md: $tmp/html.svg: not well-formed SVG" <<<"$out"
done

# A recorded session with hostile output, rendered without the demo.
s=$tmp/session
mkdir -p "$s/1-hostile" "$s/2-plain"
printf 'hostile <b>title</b> & "quotes"\n' >"$s/1-hostile/title"
printf '%s\n' 'echo "<script>alert(1)</script>" ]]>' >"$s/1-hostile/01.cmd"
{
	printf 'nul[\0] esc[\033[31mred\033[0m] title[\033]0;x\a] bell[\a]\n'
	printf 'invalid[\xff \xc0\xaf \xed\xa0\x80 \xe2\x82] ok[\xc3\xa9\xe2\x82\xac]\n'
	printf '<script>alert(1)</script> ]]> &amp;\n'
	head -c 5000 /dev/zero | tr '\0' y; echo
	seq 1 100
} >"$s/1-hostile/01.out"
echo 7 >"$s/1-hostile/01.rc"
printf 'runc list\n' >"$s/2-plain/01.cmd"
printf 'ID   PID   STATUS\n' >"$s/2-plain/01.out"
printf 'plain\n' >"$s/2-plain/title"

if "$capture" --from "$s" --out "$tmp/pics" >"$tmp/capture.log" 2>&1; then ok "capture --from: exit 0"
else fail "capture --from: $(cat "$tmp/capture.log")"; fi
svg=$tmp/pics/1-hostile.svg
check "capture --from: one picture per step" test -s "$svg" -a -s "$tmp/pics/2-plain.svg"
check "hostile session: well-formed SVG" svg_ok "$svg"
check "plain session: well-formed SVG" svg_ok "$tmp/pics/2-plain.svg"
check "the SVG is ASCII only" eval "! LC_ALL=C grep -q '[^ -~]' '$svg'"
check "no raw <script> in the SVG" eval "! grep -qi '<script' '$svg'"
check "<script> is there, escaped" grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$svg"
check "]]> is escaped" grep -qF ']]&gt;' "$svg"
check "& is escaped" grep -qF '&amp;amp;' "$svg"
check "NUL shows as U+2400" grep -qF 'nul[&#x2400;]' "$svg"
check "the colour sequence is dropped" grep -qF 'esc[red]' "$svg"
check "the OSC title sequence is dropped" grep -qF 'title[]' "$svg"
check "BEL shows as U+2407" grep -qF 'bell[&#x2407;]' "$svg"
check "invalid UTF-8 shows as U+FFFD" grep -qF 'invalid[&#xFFFD; &#xFFFD;&#xFFFD; &#xFFFD;&#xFFFD;&#xFFFD; &#xFFFD;&#xFFFD;]' "$svg"
check "valid UTF-8 is kept" grep -qF 'ok[&#xE9;&#x20AC;]' "$svg"
check "the 5000-character line is cut with a mark" grep -qF '... +4620 chars' "$svg"
check "the tall output is cut with a mark" grep -qF '... 65 more lines' "$svg"
check "the exit status is shown" grep -qF '(exit status 7)' "$svg"
# What a reader sees: the text of the SVG, parsed back.
/usr/bin/python3 - "$svg" >"$tmp/text" <<'EOT'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
assert not [e for e in root.iter() if e.tag.lower().endswith("script")]
for t in root.iter(ns + "text"):
    print("".join(t.itertext()))
EOT
check "parsed back: no script element" test -s "$tmp/text"
check_eq "parsed back: the title" 'hostile <b>title</b> & "quotes"' "$(sed -n 1p "$tmp/text")"
check_eq "parsed back: the command line" '# echo "<script>alert(1)</script>" ]]>' "$(sed -n 2p "$tmp/text")"
check "parsed back: the output line" grep -qxF '<script>alert(1)</script> ]]> &amp;' "$tmp/text"

cp "$svg" "$tmp/first.svg"
"$capture" --from "$s" --out "$tmp/pics" >/dev/null 2>&1
check "the same session gives the same bytes" cmp "$tmp/first.svg" "$svg"

# The edges: 40 lines are shown whole, 41 are cut; CR and tab as on a
# terminal; a 2 MiB line without a newline is cut, not kept.
e=$tmp/edges
mkdir -p "$e/forty" "$e/fortyone" "$e/cr" "$e/huge"
for d in forty fortyone cr huge; do echo "$d" >"$e/$d/title"; echo "cat" >"$e/$d/01.cmd"; done
seq 1 40 >"$e/forty/01.out"
seq 1 41 >"$e/fortyone/01.out"
printf 'abcdef\rXY\ta|\r\n' >"$e/cr/01.out"
head -c 2097152 /dev/zero | tr '\0' z >"$e/huge/01.out"
"$capture" --from "$e" --out "$tmp/edgepics" >/dev/null 2>&1 || fail "capture --from the edges"
check "40 lines: all shown" eval "grep -q '>40</text>' '$tmp/edgepics/forty.svg' && ! grep -q 'more lines' '$tmp/edgepics/forty.svg'"
check "41 lines: one row says 2 more lines" grep -qF '... 2 more lines' "$tmp/edgepics/fortyone.svg"
check "41 lines: the last one is shown" grep -q '>41</text>' "$tmp/edgepics/fortyone.svg"
check "CR overwrites, tab to column 8" grep -qF '>XYcdef  a|</text>' "$tmp/edgepics/cr.svg"
check "2 MiB line: cut with a mark" grep -qF '... +2096772 chars' "$tmp/edgepics/huge.svg"
check "2 MiB line: well-formed SVG" svg_ok "$tmp/edgepics/huge.svg"

check "capture --from a folder without steps fails" eval "! '$capture' --from '$tmp/pics' --out '$tmp/none' 2>/dev/null"
