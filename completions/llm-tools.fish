function __llm-tools_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __llm-tools_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __llm-tools_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __llm-tools_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __llm-tools_parse_tokens -S
    set -l unparsed_tokens (__llm-tools_tokens -pc)
    switch $unparsed_tokens[1]
    case 'llm-tools'
        __llm-tools_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'list'
            __llm-tools_parse_subcommand 0 'f/file=' 'root=' 'allow-write' 'confirm' 'isolate' 'max-output=' 'v/verbose' 't/text' 'version' 'h/help'
        case 'exec'
            __llm-tools_parse_subcommand 0 'f/file=' 'root=' 'allow-write' 'confirm' 'isolate' 'max-output=' 'v/verbose' 'j/jobs=' 'version' 'h/help'
        case 'pending'
            __llm-tools_parse_subcommand 0 'version' 'h/help'
        case 'loop'
            __llm-tools_parse_subcommand -r 1 'f/file=' 'root=' 'allow-write' 'confirm' 'isolate' 'max-output=' 'v/verbose' 'j/jobs=' 'max-turns=' 'model-timeout=' 'version' 'h/help'
        case 'help'
            __llm-tools_parse_subcommand -r 1 'version'
        end
    end
end

function __llm-tools_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __llm-tools_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __llm-tools_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __llm-tools_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__llm-tools_tokens -p)
    if test -z "$(__llm-tools_tokens -t)"
        set -l index (count (__llm-tools_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'llm-tools' -f
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools" version' -l 'version' -d 'Show the version.'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_positional "llm-tools" -eq 1' -fa 'list' -d 'Write a tools record for the model (or, with -t, a table for a person).'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_positional "llm-tools" -eq 1' -fa 'exec' -d 'Run the tool calls of the last assistant message that have no result yet.'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_positional "llm-tools" -eq 1' -fa 'pending' -d 'Exit 0 if the last assistant message has tool calls with no result, 1 if not.'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_positional "llm-tools" -eq 1' -fa 'loop' -d 'Alternate a model command and tool calls until the model answers.'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_positional "llm-tools" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools list" f file' -l 'file' -s 'f' -d 'The tools file (YAML).' -rfka ''
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools list" root' -l 'root' -d 'File tools are confined here (default: the tools file\'s root:, else the working directory).' -rfka ''
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools list" allow-write' -l 'allow-write' -d 'Let write_file and edit_file write (inside the root).'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools list" confirm' -l 'confirm' -d 'Ask on the terminal before each call; a refusal is the tool\'s result.'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools list" isolate' -l 'isolate' -d 'Run command tools, shell and MCP servers in a bubblewrap sandbox: no network, no home, no other processes, only the root writable (with --allow-write).'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools list" max-output' -l 'max-output' -d 'Keep at most this many bytes of a tool\'s output.' -rfka ''
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools list" v verbose' -l 'verbose' -s 'v' -d 'Report each call on stderr.'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools list" t text' -l 'text' -s 't' -d 'A table for a person instead of a record.'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools list" version' -l 'version' -d 'Show the version.'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools exec" f file' -l 'file' -s 'f' -d 'The tools file (YAML).' -rfka ''
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools exec" root' -l 'root' -d 'File tools are confined here (default: the tools file\'s root:, else the working directory).' -rfka ''
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools exec" allow-write' -l 'allow-write' -d 'Let write_file and edit_file write (inside the root).'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools exec" confirm' -l 'confirm' -d 'Ask on the terminal before each call; a refusal is the tool\'s result.'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools exec" isolate' -l 'isolate' -d 'Run command tools, shell and MCP servers in a bubblewrap sandbox: no network, no home, no other processes, only the root writable (with --allow-write).'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools exec" max-output' -l 'max-output' -d 'Keep at most this many bytes of a tool\'s output.' -rfka ''
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools exec" v verbose' -l 'verbose' -s 'v' -d 'Report each call on stderr.'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools exec" j jobs' -l 'jobs' -s 'j' -d 'Calls to run at once.' -rfka ''
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools exec" version' -l 'version' -d 'Show the version.'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools exec" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools pending" version' -l 'version' -d 'Show the version.'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools pending" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools loop" f file' -l 'file' -s 'f' -d 'The tools file (YAML).' -rfka ''
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools loop" root' -l 'root' -d 'File tools are confined here (default: the tools file\'s root:, else the working directory).' -rfka ''
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools loop" allow-write' -l 'allow-write' -d 'Let write_file and edit_file write (inside the root).'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools loop" confirm' -l 'confirm' -d 'Ask on the terminal before each call; a refusal is the tool\'s result.'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools loop" isolate' -l 'isolate' -d 'Run command tools, shell and MCP servers in a bubblewrap sandbox: no network, no home, no other processes, only the root writable (with --allow-write).'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools loop" max-output' -l 'max-output' -d 'Keep at most this many bytes of a tool\'s output.' -rfka ''
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools loop" v verbose' -l 'verbose' -s 'v' -d 'Report each call on stderr.'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools loop" j jobs' -l 'jobs' -s 'j' -d 'Calls to run at once.' -rfka ''
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools loop" max-turns' -l 'max-turns' -d 'The most model turns to run.' -rfka ''
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools loop" model-timeout' -l 'model-timeout' -d 'Seconds one model step may take before it is stopped (exit 75).' -rfka ''
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools loop" version' -l 'version' -d 'Show the version.'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools loop" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'llm-tools' -n '__llm-tools_should_offer_completions_for_flags_or_options "llm-tools help" version' -l 'version' -d 'Show the version.'
