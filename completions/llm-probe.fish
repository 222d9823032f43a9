function __llm-probe_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __llm-probe_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __llm-probe_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __llm-probe_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __llm-probe_parse_tokens -S
    set -l unparsed_tokens (__llm-probe_tokens -pc)
    switch $unparsed_tokens[1]
    case 'llm-probe'
        __llm-probe_parse_subcommand -r 1 'm/model=+' 'wait=' 'timeout=' 'pull' 'watch=' 'hardware' 'recommend' 'bench' 'n/runs=' 'prompt-words=' 'max-tokens=' 'concurrency=' 'format=' 't/text' 'config=' 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __llm-probe_parse_subcommand -r 1 'version'
        end
    end
end

function __llm-probe_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __llm-probe_parse_subcommand -S -a positional_count
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

function __llm-probe_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __llm-probe_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__llm-probe_tokens -p)
    if test -z "$(__llm-probe_tokens -t)"
        set -l index (count (__llm-probe_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'llm-probe' -f
complete -c 'llm-probe' -n '__llm-probe_should_offer_completions_for_flags_or_options "llm-probe"' -l 'model' -s 'm' -d 'A model to check, as provider/model (repeatable).' -rfka ''
complete -c 'llm-probe' -n '__llm-probe_should_offer_completions_for_flags_or_options "llm-probe" wait' -l 'wait' -d 'Wait until every target is ready, up to this many seconds (exit 1 if it runs out).' -rfka ''
complete -c 'llm-probe' -n '__llm-probe_should_offer_completions_for_flags_or_options "llm-probe" timeout' -l 'timeout' -d 'Seconds each probe may take.' -rfka ''
complete -c 'llm-probe' -n '__llm-probe_should_offer_completions_for_flags_or_options "llm-probe" pull' -l 'pull' -d 'Fetch a missing -m model through Ollama\'s /api/pull (progress on stderr on a terminal, else progress records).'
complete -c 'llm-probe' -n '__llm-probe_should_offer_completions_for_flags_or_options "llm-probe" watch' -l 'watch' -d 'Probe again every this many seconds, until interrupted.' -rfka ''
complete -c 'llm-probe' -n '__llm-probe_should_offer_completions_for_flags_or_options "llm-probe" hardware' -l 'hardware' -d 'Describe this machine: CPU, memory, GPUs, and which model sizes fit where.'
complete -c 'llm-probe' -n '__llm-probe_should_offer_completions_for_flags_or_options "llm-probe" recommend' -l 'recommend' -d 'Suggest local models to try on this machine (implies --hardware).'
complete -c 'llm-probe' -n '__llm-probe_should_offer_completions_for_flags_or_options "llm-probe" bench' -l 'bench' -d 'Benchmark each -m model: streamed runs of a fixed prompt after a warm-up (a real, possibly paid, request).'
complete -c 'llm-probe' -n '__llm-probe_should_offer_completions_for_flags_or_options "llm-probe" n runs' -s 'n' -l 'runs' -d 'Benchmark runs.' -rfka ''
complete -c 'llm-probe' -n '__llm-probe_should_offer_completions_for_flags_or_options "llm-probe" prompt-words' -l 'prompt-words' -d 'The benchmark prompt\'s length in words.' -rfka ''
complete -c 'llm-probe' -n '__llm-probe_should_offer_completions_for_flags_or_options "llm-probe" max-tokens' -l 'max-tokens' -d 'The most tokens each benchmark reply may have.' -rfka ''
complete -c 'llm-probe' -n '__llm-probe_should_offer_completions_for_flags_or_options "llm-probe" concurrency' -l 'concurrency' -d 'Benchmark streams at once: aggregate throughput under load.' -rfka ''
complete -c 'llm-probe' -n '__llm-probe_should_offer_completions_for_flags_or_options "llm-probe" format' -l 'format' -d 'Output form: jsonl, prometheus or nagios.' -rfka 'jsonl prometheus nagios'
complete -c 'llm-probe' -n '__llm-probe_should_offer_completions_for_flags_or_options "llm-probe" t text' -l 'text' -s 't' -d 'A table for a person instead of JSON Lines.'
complete -c 'llm-probe' -n '__llm-probe_should_offer_completions_for_flags_or_options "llm-probe" config' -l 'config' -d 'The config file (default: $LLMKIT_CONFIG, else $XDG_CONFIG_HOME/llmkit/config.yaml).' -rfka ''
complete -c 'llm-probe' -n '__llm-probe_should_offer_completions_for_flags_or_options "llm-probe" version' -l 'version' -d 'Show the version.'
complete -c 'llm-probe' -n '__llm-probe_should_offer_completions_for_flags_or_options "llm-probe" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'llm-probe' -n '__llm-probe_should_offer_completions_for_positional "llm-probe" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'llm-probe' -n '__llm-probe_should_offer_completions_for_flags_or_options "llm-probe help" version' -l 'version' -d 'Show the version.'
