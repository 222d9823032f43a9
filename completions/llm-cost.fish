function __llm-cost_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __llm-cost_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __llm-cost_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __llm-cost_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __llm-cost_parse_tokens -S
    set -l unparsed_tokens (__llm-cost_tokens -pc)
    switch $unparsed_tokens[1]
    case 'llm-cost'
        __llm-cost_parse_subcommand -r 1 'annotate' 'by=' 'budget=' 'ledger=' 'period=' 'prices=+' 'estimate' 'm/model=' 'max-tokens=' 'config=' 'keep-going' 't/text' 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __llm-cost_parse_subcommand -r 1 'version'
        end
    end
end

function __llm-cost_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __llm-cost_parse_subcommand -S -a positional_count
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

function __llm-cost_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __llm-cost_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__llm-cost_tokens -p)
    if test -z "$(__llm-cost_tokens -t)"
        set -l index (count (__llm-cost_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'llm-cost' -f
complete -c 'llm-cost' -n '__llm-cost_should_offer_completions_for_flags_or_options "llm-cost" annotate' -l 'annotate' -d 'Pass every record through, adding cost to each assistant message.'
complete -c 'llm-cost' -n '__llm-cost_should_offer_completions_for_flags_or_options "llm-cost" by' -l 'by' -d 'Group totals by model, provider, id, tag, day or hour.' -rfka 'model provider id day hour tag'
complete -c 'llm-cost' -n '__llm-cost_should_offer_completions_for_flags_or_options "llm-cost" budget' -l 'budget' -d 'Exit 1 when the total is over this many US dollars.' -rfka ''
complete -c 'llm-cost' -n '__llm-cost_should_offer_completions_for_flags_or_options "llm-cost" ledger' -l 'ledger' -d 'Append this run\'s spend to a ledger file; --budget then applies to the ledger\'s total.' -rfka ''
complete -c 'llm-cost' -n '__llm-cost_should_offer_completions_for_flags_or_options "llm-cost" period' -l 'period' -d 'The ledger\'s span that --budget applies to: day, month or all (local time).' -rfka 'day month all'
complete -c 'llm-cost' -n '__llm-cost_should_offer_completions_for_flags_or_options "llm-cost"' -l 'prices' -d 'A price file (LiteLLM\'s JSON or ours); repeatable, later files win.' -rfka ''
complete -c 'llm-cost' -n '__llm-cost_should_offer_completions_for_flags_or_options "llm-cost" estimate' -l 'estimate' -d 'Price request lines not yet sent at their worst case: prompt tokens approximated, output at max_tokens.'
complete -c 'llm-cost' -n '__llm-cost_should_offer_completions_for_flags_or_options "llm-cost" m model' -l 'model' -s 'm' -d 'With --estimate: the model of requests that name none.' -rfka ''
complete -c 'llm-cost' -n '__llm-cost_should_offer_completions_for_flags_or_options "llm-cost" max-tokens' -l 'max-tokens' -d 'With --estimate: the max_tokens of requests that set none.' -rfka ''
complete -c 'llm-cost' -n '__llm-cost_should_offer_completions_for_flags_or_options "llm-cost" config' -l 'config' -d 'The config file, for its prices: (default: $LLMKIT_CONFIG, else $XDG_CONFIG_HOME/llmkit/config.yaml).' -rfka ''
complete -c 'llm-cost' -n '__llm-cost_should_offer_completions_for_flags_or_options "llm-cost" keep-going' -l 'keep-going' -d 'Skip lines that are not JSON (counted) instead of stopping.'
complete -c 'llm-cost' -n '__llm-cost_should_offer_completions_for_flags_or_options "llm-cost" t text' -l 'text' -s 't' -d 'A table for a person instead of a record.'
complete -c 'llm-cost' -n '__llm-cost_should_offer_completions_for_flags_or_options "llm-cost" version' -l 'version' -d 'Show the version.'
complete -c 'llm-cost' -n '__llm-cost_should_offer_completions_for_flags_or_options "llm-cost" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'llm-cost' -n '__llm-cost_should_offer_completions_for_positional "llm-cost" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'llm-cost' -n '__llm-cost_should_offer_completions_for_flags_or_options "llm-cost help" version' -l 'version' -d 'Show the version.'
