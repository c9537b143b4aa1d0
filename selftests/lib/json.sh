# shellcheck shell=bash
# Reading the JSON reports of our tools in test scripts. Source it, then:
#   json_eval FILE EXPR     print EXPR, a Python expression on J (FILE's JSON)
#   json_true FILE EXPR     succeed when EXPR holds (and FILE is JSON)
#   json_vars FILE PREFIX   "PREFIX_KEY=VALUE" lines of an object's scalar
#                           members (nested ones are left out), to eval
#   json_assign FILE VAR=EXPR...
#                           "VAR=VALUE" lines (shell-quoted), each EXPR a
#                           Python expression on J, to eval
#   json_lines_true FILE EXPR
#                           succeed when EXPR holds, J being the list of
#                           the JSON objects on FILE's lines
# FILE may be /dev/stdin.
# Each is one python3 start, which is slow under TCG: where a test needs
# many values of one file, json_vars reads them all at once.

json_eval() {
	python3 -c 'import json, sys
J = json.load(open(sys.argv[1]))
print(eval("(" + sys.argv[2] + ")"))' "$1" "$2"
}

json_true() {
	python3 -c 'import json, sys
J = json.load(open(sys.argv[1]))
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$1" "$2"
}

json_vars() {
	python3 -c 'import json, sys
for k, v in json.load(open(sys.argv[1])).items():
    if not isinstance(v, (dict, list)):
        print(f"{sys.argv[2]}_{k}={str(v).lower()}")' "$1" "$2"
}

json_assign() {
	python3 -c 'import json, shlex, sys
J = json.load(open(sys.argv[1]))
for a in sys.argv[2:]:
    var, expr = a.split("=", 1)
    print(var + "=" + shlex.quote(str(eval("(" + expr + ")"))))' "$@"
}

json_lines_true() {
	python3 -c 'import json, sys
J = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$1" "$2"
}
