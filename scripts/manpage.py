#!/usr/bin/env python3
"""Writes the man pages from the tools themselves, so that they say what --help says.

    scripts/manpage.py BIN_DIR OUT_DIR          write OUT_DIR/llm-*.1 and OUT_DIR/llmkit.5
    scripts/manpage.py --check BIN_DIR MAN_DIR  exit 1, naming the pages, if any differs

Each tool's page comes from `BIN_DIR/TOOL --experimental-dump-help` (swift-argument-parser's
description of the command: every option with its help and default, the discussion, the
subcommands). The discussion's titled blocks become sections: "Examples:", "Exit status:",
"Environment:" and "Files:" (rows of `  TERM  TEXT`) and "Error codes" (DIAGNOSTICS);
everything else is the DESCRIPTION. llmkit.5, the configuration reference, is the README's
"Configuration reference" section.

The output is man(7), which every man renders, with no blank lines (groff warns about them).
"""
import json
import os
import re
import subprocess
import sys

TOOLS = ["llm-complete", "llm-stream", "llm-tools", "llm-probe", "llm-cost", "llm-serve"]
MANUAL = "llmkit manual"
SECTIONS = {"Examples": "EXAMPLES", "Exit status": "EXIT STATUS", "Environment": "ENVIRONMENT",
            "Files": "FILES", "Error codes": "DIAGNOSTICS"}
ORDER = ["DESCRIPTION", "COMMANDS", "OPTIONS", "EXIT STATUS", "ENVIRONMENT", "FILES",
         "EXAMPLES", "DIAGNOSTICS", "SEE ALSO"]
TITLE = re.compile(r"^([A-Z][A-Za-z ]*?)(?: \(.*\))?(?:,.*)?:$")
ROW = re.compile(r"^  (\S.*?)(?:\s{2,}|: )(.*)$")


def escape(text):
    """Text for a man page line: backslashes, hyphens that start an option, `code`."""
    text = text.replace("\\", "\\e")
    text = re.sub(r"(?<![A-Za-z0-9])-", r"\\-", text)
    text = re.sub(r"`([^`]+)`", r"\\fB\1\\fR", text)
    return re.sub(r"[^\x00-\x7f]", lambda c: "\\[u%04X]" % ord(c.group()), text)


def line(text):
    """A text line that cannot be read as a request."""
    text = escape(text)
    return "\\&" + text if text.startswith((".", "'")) else text


def verbatim(lines):
    """An indented block kept as written: examples, YAML."""
    out = [".PP", ".RS 4", ".nf"]
    out += [line(l[2:] if l.startswith("  ") else l) for l in lines]
    return out + [".fi", ".RE"]


def paragraph(text):
    return [".PP", line(" ".join(part.strip() for part in text.split("\n")))]


def rows(lines):
    """`  TERM  TEXT` rows as a tagged list; other lines as paragraphs of the section."""
    out = []
    for l in lines:
        match = ROW.match(l)
        if match:
            out += [".TP", "\\fB" + escape(match.group(1)) + "\\fR", line(match.group(2))]
        elif l.strip():
            out += paragraph(l)
    return out


def discussion(text, sections):
    """Files each paragraph of a discussion under its man page section."""
    for block in text.strip("\n").split("\n\n"):
        lines = block.split("\n")
        title = TITLE.match(lines[0])
        section = SECTIONS.get(title.group(1)) if title else None
        if section in ("EXAMPLES",):
            sections.setdefault(section, []).extend(verbatim(lines[1:]))
        elif section:
            sections.setdefault(section, []).extend(rows(lines[1:]))
        else:
            text_lines = [l for l in lines if not l.startswith("  ")]
            indented = [l for l in lines if l.startswith("  ")]
            out = sections.setdefault("DESCRIPTION", [])
            if text_lines:
                out += paragraph("\n".join(text_lines))
            if indented:
                out += verbatim(indented)


def names(argument):
    spelled = ["-" + n["name"] if n["kind"] == "short" else "--" + n["name"]
               for n in sorted(argument.get("names", []), key=lambda n: n["kind"] != "short")]
    return ", ".join("\\fB" + escape(n) + "\\fR" for n in spelled)


def operand(argument):
    value = "\\fI" + escape(argument["valueName"]) + "\\fR"
    if argument.get("isRepeating"):
        value += " ..."
    if argument.get("parsingStrategy") == "postTerminator":
        value = "\\fB\\-\\-\\fR " + value
    return value


def options(command, everyday=True):
    out = []
    for argument in command.get("arguments", []):
        if not argument.get("shouldDisplay", True) or (not everyday and quiet(argument)):
            continue
        if argument["kind"] == "positional":
            term = operand(argument)
        else:
            term = names(argument)
            if argument["kind"] == "option":
                term += " \\fI" + escape(argument["valueName"]) + "\\fR"
        text = argument.get("abstract", "")
        if argument.get("discussion"):
            text += " " + argument["discussion"]
        if "defaultValue" in argument:
            text += " (default: " + argument["defaultValue"] + ")"
        if argument["kind"] == "option" and argument.get("isRepeating") and "repeatable" not in text:
            text += " (repeatable)"
        out += [".TP", term, line(text)]
    return out


def synopsis(command, prefix):
    words = ["\\fB" + escape(prefix) + "\\fR"]
    for argument in command.get("arguments", []):
        if argument["kind"] == "option" and not argument.get("isOptional") and argument.get("shouldDisplay", True):
            words.append(names(argument).split(", ")[-1] + " \\fI" + escape(argument["valueName"]) + "\\fR")
    if any(a["kind"] != "positional" and not quiet(a) for a in command.get("arguments", [])):
        words.append("[\\fIoptions\\fR]")
    for argument in command.get("arguments", []):
        if argument["kind"] == "positional" and argument.get("shouldDisplay", True):
            optional = argument.get("isOptional") and argument.get("parsingStrategy") != "postTerminator"
            words.append("[" + operand(argument) + "]" if optional else operand(argument))
    return [".PP", " ".join(words)]


def quiet(argument):
    """--help and --version, which every command has."""
    return any(n["name"] in ("help", "version", "h") for n in argument.get("names", []))


def subcommands(command):
    return [s for s in command.get("subcommands", []) if s["commandName"] != "help" and s.get("shouldDisplay", True)]


def page(tool, dump, version):
    command = dump["command"]
    sections = {}
    discussion(command.get("discussion", ""), sections)
    synopsis_lines = []
    children = subcommands(command)
    if children:
        for child in children:
            synopsis_lines += synopsis(child, tool + " " + child["commandName"])
        listing = sections.setdefault("COMMANDS", [])
        for child in children:
            listing += [".SS " + escape(tool + " " + child["commandName"])] + paragraph(child.get("abstract", ""))
            if child.get("discussion"):
                listing += paragraph(child["discussion"])
            listed = options(child, everyday=False)
            if listed:
                listing += [".PP", "Options:", ".RS 4"] + listed + [".RE"]
    else:
        synopsis_lines += synopsis(command, tool)
    sections["OPTIONS"] = options(command)
    sections["SEE ALSO"] = [", ".join("\\fB" + t + "\\fR(1)" for t in TOOLS if t != tool) + ", \\fBllmkit\\fR(5)"]
    out = ['.\\" Written by scripts/manpage.py from ' + tool + " --experimental-dump-help: make man.",
           '.TH "%s" 1 "" "llmkit %s" "%s"' % (tool.upper(), version, MANUAL), ".nh",
           ".SH NAME", escape(tool) + " \\- " + line(command.get("abstract", "")),
           ".SH SYNOPSIS"] + synopsis_lines
    for name in ORDER:
        if sections.get(name):
            out += [".SH " + name] + sections[name]
    return "\n".join(out) + "\n"


def reference(readme, version):
    """llmkit.5: the README's configuration reference, from its heading to the next `## `.

    The Markdown it uses: `###` and `####` headings, paragraphs, and list items that start
    with their key (`- `key`: text`), each on one line.
    """
    text = open(readme, encoding="utf-8").read()
    start = text.index("\n## Configuration reference\n")
    end = text.find("\n## ", start + 1)
    body = text[start:end if end > 0 else len(text)].strip("\n").split("\n\n")
    out = ['.\\" Written by scripts/manpage.py from README.md\'s "Configuration reference": make man.',
           '.TH "LLMKIT" 5 "" "llmkit %s" "%s"' % (version, MANUAL), ".nh",
           ".SH NAME", "llmkit \\- the configuration, tools and agents files of the llmkit tools",
           ".SH DESCRIPTION"]
    for block in body[1:]:
        for item in re.split(r"\n(?=- |#)", block):
            if item.startswith("#### "):
                out.append(".SS " + escape(item[5:]))
            elif item.startswith("### "):
                out.append(".SH " + escape(item[4:].upper()))
            elif item.startswith("- "):
                term, _, rest = item[2:].partition(": ")
                out += [".TP", escape(term), line(" ".join(rest.split("\n")))]
            else:
                out += paragraph(item)
    see = ", ".join("\\fB" + t + "\\fR(1)" for t in TOOLS)
    return "\n".join(out + [".SH SEE ALSO", see]) + "\n"


def generate(bin_dir, readme):
    pages = {}
    version = subprocess.run([os.path.join(bin_dir, TOOLS[0]), "--version"], capture_output=True,
                             text=True, check=True).stdout.strip()
    for tool in TOOLS:
        dump = subprocess.run([os.path.join(bin_dir, tool), "--experimental-dump-help"],
                              capture_output=True, text=True, check=True).stdout
        pages[tool + ".1"] = page(tool, json.loads(dump), version)
    pages["llmkit.5"] = reference(readme, version)
    return pages


def main(argv):
    check = argv[:1] == ["--check"]
    if check:
        argv = argv[1:]
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 64
    bin_dir, out_dir = argv
    readme = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "README.md")
    pages = generate(bin_dir, readme)
    if check:
        stale = []
        for name, text in sorted(pages.items()):
            path = os.path.join(out_dir, name)
            if not os.path.exists(path) or open(path, encoding="utf-8").read() != text:
                stale.append(name)
        if stale:
            sys.stderr.write("manpage.py: out of step with the tools: %s (run make man)\n" % ", ".join(stale))
            return 1
        return 0
    os.makedirs(out_dir, exist_ok=True)
    for name, text in pages.items():
        with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
