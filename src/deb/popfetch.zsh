#compdef popfetch
# zsh completion for popfetch: the bash completion, run through zsh's bashcompinit.
autoload -U +X bashcompinit && bashcompinit
source /usr/share/bash-completion/completions/popfetch
_bash_complete -F _picocli_popfetch -o default
