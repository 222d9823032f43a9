function __llm-complete_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __llm-complete_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __llm-complete_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __llm-complete_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __llm-complete_parse_tokens -S
    set -l unparsed_tokens (__llm-complete_tokens -pc)
    switch $unparsed_tokens[1]
    case 'llm-complete'
        __llm-complete_parse_subcommand -r 1 'm/model=' 's/system=' 'temperature=' 'max-tokens=' 'stop=+' 'seed=' 'schema=' 'tools=' 'timeout=' 'idle-timeout=' 'api-base=' 'mock-script=' 'config=' 'j/jobs=' 'tag=' 'retries=' 'fallback=+' 'route=' 'offline' 'explain' 'retry-partial' 't/text' 'dry-run' 'list-providers' 'v/verbose' 'batch-api' 'detach' 'resume=' 'poll-interval=' 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __llm-complete_parse_subcommand -r 1 'version'
        end
    end
end

function __llm-complete_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __llm-complete_parse_subcommand -S -a positional_count
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

function __llm-complete_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __llm-complete_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__llm-complete_tokens -p)
    if test -z "$(__llm-complete_tokens -t)"
        set -l index (count (__llm-complete_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'llm-complete' -f
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" m model' -l 'model' -s 'm' -d 'The model: provider/model, or an alias from the config.' -rfka ''
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" s system' -l 'system' -s 's' -d 'A system prompt; replaces the conversation\'s own.' -rfka ''
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" temperature' -l 'temperature' -d 'Sampling temperature.' -rfka ''
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" max-tokens' -l 'max-tokens' -d 'The most tokens the reply may have.' -rfka ''
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete"' -l 'stop' -d 'A sequence that ends the reply (repeatable).' -rfka ''
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" seed' -l 'seed' -d 'A seed, for reproducible sampling where the server supports it.' -rfka ''
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" schema' -l 'schema' -d 'A JSON Schema file: the reply must be JSON that fits it.' -rfka ''
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" tools' -l 'tools' -d 'A tools file (YAML or JSON): definitions the model may call.' -rfka ''
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" timeout' -l 'timeout' -d 'Seconds to wait for a whole reply (default: no limit).' -rfka ''
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" idle-timeout' -l 'idle-timeout' -d 'Give up when the server sends nothing for this long (default: 120 s when streaming, 600 s otherwise: a reply that is not streamed is silent until it is done, and a local server may first load its weights). Connecting has its own 10 s limit.' -rfka ''
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" api-base' -l 'api-base' -d 'Send this request to another endpoint (e.g. http://127.0.0.1:8081/v1).' -rfka ''
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" mock-script' -l 'mock-script' -d 'The JSONL file of replies mock/script plays back.' -rfka ''
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" config' -l 'config' -d 'The config file (default: $LLMKIT_CONFIG, else $XDG_CONFIG_HOME/llmkit/config.yaml).' -rfka ''
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" j jobs' -l 'jobs' -s 'j' -d 'Batch requests to run at once.' -rfka ''
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" tag' -l 'tag' -d 'A tag written on every reply, for llm-cost --by tag (which job spent it).' -rfka ''
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" retries' -l 'retries' -d 'Retries after a rate limit, overload or server error.' -rfka ''
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete"' -l 'fallback' -d 'A model to try when the model fails after its retries (repeatable, tried in order; replaces the config\'s fallbacks for it).' -rfka ''
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" route' -l 'route' -d 'A tag for the routing rules of a router (-m auto): rules with when: {route: TAG} match it.' -rfka ''
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" offline' -l 'offline' -d 'Use only local models (loopback servers, cmd, mock): a request whose model and fallbacks are all remote fails at once (exit 69).'
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" explain' -l 'explain' -d 'Say on stderr which routing rule chose the model, and each fallback taken.'
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" retry-partial' -l 'retry-partial' -d 'When a stream breaks after part of the reply was written, start it over (on a retry or a fallback) instead of keeping the part; a restart record says so.'
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" t text' -l 'text' -s 't' -d 'Write only the reply text, not JSON records.'
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" dry-run' -l 'dry-run' -d 'Print the HTTP request that would be sent (keys redacted) and exit.'
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" list-providers' -l 'list-providers' -d 'List every provider: its endpoint, where its key comes from and whether it is set (never the key), and what it supports. With -t, a table.'
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" v verbose' -l 'verbose' -s 'v' -d 'Report progress on stderr.'
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" batch-api' -l 'batch-api' -d 'Send the batch lines to the provider\'s own batch service (OpenAI Batch API, Anthropic Message Batches) as one job, at about half the price; results come within a day, written as -j writes them.'
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" detach' -l 'detach' -d 'With --batch-api: print the job record and exit instead of waiting; collect the results later with --resume.'
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" resume' -l 'resume' -d 'Wait for the provider batch whose job record (from --detach, or written when a wait is stopped) FILE holds, and write its results.' -rfka ''
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" poll-interval' -l 'poll-interval' -d 'Seconds between checks on a provider batch.' -rfka ''
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" version' -l 'version' -d 'Show the version.'
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_positional "llm-complete" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'llm-complete' -n '__llm-complete_should_offer_completions_for_flags_or_options "llm-complete help" version' -l 'version' -d 'Show the version.'
