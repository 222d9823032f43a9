function __llm-serve_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __llm-serve_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __llm-serve_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __llm-serve_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __llm-serve_parse_tokens -S
    set -l unparsed_tokens (__llm-serve_tokens -pc)
    switch $unparsed_tokens[1]
    case 'llm-serve'
        __llm-serve_parse_subcommand 0 'f/agents=' 'host=' 'port=' 'api-key-env=' 'keys=' 'no-auth' 'max-concurrent=' 'max-connections=' 'header-timeout=' 'body-timeout=' 'idle-timeout=' 'allow-host=+' 'cors-origin=+' 'max-body=' 'timeout=' 'grace=' 'log-format=' 'log-content' 'user-header=' 'chat-header=' 'config=' 'mock-script=' 'retries=' 'v/verbose' 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __llm-serve_parse_subcommand -r 1 'version'
        end
    end
end

function __llm-serve_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __llm-serve_parse_subcommand -S -a positional_count
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

function __llm-serve_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __llm-serve_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__llm-serve_tokens -p)
    if test -z "$(__llm-serve_tokens -t)"
        set -l index (count (__llm-serve_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'llm-serve' -f
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve" agents f' -s 'f' -l 'agents' -d 'The agents file (YAML).' -rfka ''
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve" host' -l 'host' -d 'The address to listen on.' -rfka ''
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve" port' -l 'port' -d 'The port to listen on (0: any free port, said on stderr).' -rfka ''
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve" api-key-env' -l 'api-key-env' -d 'The environment variable that holds the key clients must send.' -rfka ''
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve" keys' -l 'keys' -d 'A file of keys, one per line, each optionally followed by the user it belongs to (mode 600).' -rfka ''
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve" no-auth' -l 'no-auth' -d 'Serve an address other than loopback with no key.'
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve" max-concurrent' -l 'max-concurrent' -d 'Chat requests answered at once; more get 429.' -rfka ''
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve" max-connections' -l 'max-connections' -d 'Connections open at once; more are answered 503 and closed.' -rfka ''
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve" header-timeout' -l 'header-timeout' -d 'Seconds a client has to send a request\'s whole head; then the connection is closed.' -rfka ''
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve" body-timeout' -l 'body-timeout' -d 'Seconds a client may pause while sending a body; then the connection is closed.' -rfka ''
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve" idle-timeout' -l 'idle-timeout' -d 'Seconds a kept-alive connection may sit with no request, or a reply wait on a client that does not read it.' -rfka ''
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve"' -l 'allow-host' -d 'Another name clients call the server by (repeatable; * for any).' -rfka ''
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve"' -l 'cors-origin' -d 'A web page\'s origin allowed to call the server from a browser, as scheme://host[:port] (repeatable).' -rfka ''
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve" max-body' -l 'max-body' -d 'The largest request body, in bytes; larger gets 413.' -rfka ''
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve" timeout' -l 'timeout' -d 'Seconds a request may take (an agent\'s own timeout wins); then 504.' -rfka ''
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve" grace' -l 'grace' -d 'Seconds requests in flight get to finish after SIGTERM.' -rfka ''
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve" log-format' -l 'log-format' -d 'The access log\'s format on stderr: text or json.' -rfka ''
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve" log-content' -l 'log-content' -d 'Put the user\'s last message and the reply in the access log.'
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve" user-header' -l 'user-header' -d 'The header that names the user.' -rfka ''
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve" chat-header' -l 'chat-header' -d 'The header that names the chat.' -rfka ''
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve" config' -l 'config' -d 'The llmkit config file for model agents.' -rfka ''
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve" mock-script' -l 'mock-script' -d 'The JSONL file of replies mock/script plays back (model agents).' -rfka ''
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve" retries' -l 'retries' -d 'Retries after a rate limit, overload or server error (model agents).' -rfka ''
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve" v verbose' -l 'verbose' -s 'v' -d 'Report more on stderr.'
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve" version' -l 'version' -d 'Show the version.'
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_positional "llm-serve" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'llm-serve' -n '__llm-serve_should_offer_completions_for_flags_or_options "llm-serve help" version' -l 'version' -d 'Show the version.'
