# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_zk_global_optspecs
    string join \n kubeconfig= context= cluster= user= n/namespace= request-timeout= color= v/verbose h/help V/version
end

function __fish_kubectl_zk_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_zk_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_zk_using_subcommand
    set -l cmd (__fish_kubectl_zk_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -s n -l namespace -d 'The namespace of the ensemble (default: the context\'s namespace, else "default")' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -l request-timeout -d 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -l color -d 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -s v -l verbose -d 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates'
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -f -a "install" -d 'Create (or update) a ZooKeeper ensemble: StatefulSet, Services, PodDisruptionBudget, ConfigMap'
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -f -a "status" -d 'Show the ensemble as Kubernetes and ZooKeeper see it: members, leader, quorum, lag'
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -f -a "myid" -d 'Check each member\'s myid file against its ordinal and its server.N line in zoo.cfg'
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -f -a "config" -d 'Show each member\'s live zoo.cfg and lint it; `config set`/`unset` change settings'
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -f -a "leader" -d 'Print the leader; --watch streams mode changes, --failover moves leadership'
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -f -a "drain-safe" -d 'Say whether draining a node now is safe for the ensemble (quorum, PDB, rescheduling)'
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -f -a "persist-check" -d 'Prove that data survives: replication across members, volumes, restarts and re-creation'
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -f -a "scale" -d 'Grow or shrink the ensemble, one member at a time, keeping the quorum and every write'
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -f -a "restart" -d 'Restart every member one at a time (followers first, the leader last), or one member'
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -f -a "upgrade" -d 'Change the ZooKeeper version: the new image rolled one member at a time, the leader last'
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -f -a "migrate" -d 'Take over an ensemble made from the seeds\' manifest and move it to the official image'
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -f -a "cli" -d 'ZooKeeper\'s client commands (ls, get, create, set, delete, …) without a JVM: one-shot or interactive'
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -f -a "logs" -d 'Every member\'s log merged in time order, each line prefixed with its member; -f follows'
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -f -a "report" -d 'One archive for a bug report: objects, status/config/myid, members\' answers, logs; no secrets'
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -f -a "backup" -d 'Back up the ensemble\'s data to one local file; `backup inspect FILE` checks one'
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -f -a "restore" -d 'Put a backup\'s data in place of the ensemble\'s (the replaced data is kept aside)'
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -f -a "uninstall" -d 'Remove the ensemble, members in reverse ordinal order; volumes are kept unless --delete-data'
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -f -a "completion" -d 'Print a shell completion script (bash, zsh, fish, powershell)'
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -f -a "version" -d 'Print the plugin\'s version and commit, and the server\'s version when it is reachable'
complete -c kubectl-zk -n "__fish_kubectl_zk_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l name -d 'The ensemble\'s name: its StatefulSet, and the prefix of its Services and PDB' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l replicas -d 'Number of ZooKeeper servers (1-255; odd numbers make the best use of members)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l image -d 'Container image. Its flavour (official or k8s-tutorial) is inferred from the name' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l flavor -d 'Image flavour, when it cannot be inferred from --image' -r -f -a "official\t'The Docker library `zookeeper` image (3.9), configured by a ConfigMap zoo.cfg, AdminServer on 8080'
k8s-tutorial\t'The Kubernetes tutorial image `kubernetes-zookeeper:1.0-3.4.10`, driven by start-zookeeper flags'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l storage-class -d 'StorageClass of the data volumes (default: the cluster\'s default class)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l storage-size -d 'Size of each member\'s data volume' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l heap -d 'JVM heap of each server (e.g. 512M, 2G)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l cpu -d 'CPU request of each member' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l memory -d 'Memory request of each member (leave room above --heap)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l anti-affinity -d 'Pod anti-affinity on kubernetes.io/hostname: one member per node (required), spread when possible (preferred), or none' -r -f -a "required\t'Never two members on one node (a member stays Pending rather than share)'
preferred\t'Spread members over nodes when possible'
none\t'No rule'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l pod-management-policy -d 'StatefulSet pod management (default: Parallel for official, OrderedReady for k8s-tutorial)' -r -f -a "OrderedReady\t'Create pods one at a time, each after the previous is Ready'
Parallel\t'Create all pods at once'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l tick-time -d 'ZooKeeper tickTime in milliseconds [default: 2000]' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l init-limit -d 'ZooKeeper initLimit in ticks [default: 10]' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l sync-limit -d 'ZooKeeper syncLimit in ticks [default: 5]' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l max-client-cnxns -d 'Maximum client connections per client IP (0 = unlimited) [default: 60]' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l snap-retain-count -d 'Snapshots (and their logs) kept by autopurge (at least 3) [default: 3]' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l purge-interval -d 'Hours between autopurge runs (0 = autopurge off) [default: 12]' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l min-session-timeout -d 'Minimum session timeout in milliseconds (default: 2 x tick time)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l max-session-timeout -d 'Maximum session timeout in milliseconds (default: 20 x tick time)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l log-level -d 'Server log level' -r -f -a "ERROR\t'Errors only'
WARN\t'Warnings and errors'
INFO\t'The usual'
DEBUG\t'Verbose'
TRACE\t'Very verbose'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l cluster-domain -d 'The cluster\'s DNS domain, used in the servers\' host names' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l openshift -d 'OpenShift handling: detect it from the API (auto), or force it on or off' -r -f -a "auto\t'Detect OpenShift from the API groups the server offers'
always\t'Treat the cluster as OpenShift (fails when it is not)'
never\t'Never do anything OpenShift-specific'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l scc -d 'The SecurityContextConstraints the members run under on OpenShift: anyuid (run as user 1000; install grants it to the ensemble\'s ServiceAccount) or restricted (no fixed user, no grant needed; official flavour only)' -r -f -a "anyuid\t'Run as the image\'s user 1000 with fsGroup 1000 (what the seeds do); on OpenShift the ServiceAccount is granted the `anyuid` SCC'
restricted\t'No fixed user or group: OpenShift\'s restricted-v2 gives a UID from the namespace\'s range, and no grant is needed (official flavour only)'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l dry-run -d 'Print the objects instead of creating them ("client", the default when given without a value), or ask the server to check them without persisting ("server")' -r -f -a "none\t'Really apply'
client\t'Print the objects; send nothing to the cluster'
server\t'Send the objects for validation without persisting them'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l wait -d 'Wait until every member is Ready and a leader is elected' -r -f -a "true\t''
false\t''"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l timeout -d 'How long --wait waits' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -s o -l output -d 'Output format (with --dry-run: yaml or json; default yaml)' -r -f -a "table\t'A table for people'
wide\t'A table with more columns'
json\t'JSON, for scripts'
yaml\t'YAML, for scripts'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -s n -l namespace -d 'The namespace of the ensemble (default: the context\'s namespace, else "default")' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l request-timeout -d 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l color -d 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l metrics -d 'Export Prometheus metrics on port 7000 (ZooKeeper 3.6+): a PodMonitor where the cluster serves monitoring.coreos.com, else the prometheus.io scrape annotations'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -l create-namespace -d 'Create the namespace when it does not exist'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -s v -l verbose -d 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand install" -s V -l version -d 'Print version'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand status" -l name -d 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand status" -l via -d 'Force one transport to ZooKeeper instead of the best that works' -r -f -a "proxy\t'The AdminServer through the API server\'s pod proxy'
port-forward\t'Four-letter words over a port-forward'
exec\t'Four-letter words through exec'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand status" -l member-timeout -d 'How long to wait for each member\'s answer' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand status" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
wide\t'A table with more columns'
json\t'JSON, for scripts'
yaml\t'YAML, for scripts'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand status" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand status" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand status" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand status" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand status" -s n -l namespace -d 'The namespace of the ensemble (default: the context\'s namespace, else "default")' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand status" -l request-timeout -d 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand status" -l color -d 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand status" -s A -l all-namespaces -d 'List every ensemble in every namespace, one line each'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand status" -s v -l verbose -d 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand status" -s V -l version -d 'Print version'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand myid" -l name -d 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand myid" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
wide\t'A table with more columns'
json\t'JSON, for scripts'
yaml\t'YAML, for scripts'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand myid" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand myid" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand myid" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand myid" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand myid" -s n -l namespace -d 'The namespace of the ensemble (default: the context\'s namespace, else "default")' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand myid" -l request-timeout -d 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand myid" -l color -d 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand myid" -s v -l verbose -d 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand myid" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand myid" -s V -l version -d 'Print version'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and not __fish_seen_subcommand_from set unset help" -l name -d 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and not __fish_seen_subcommand_from set unset help" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
wide\t'A table with more columns'
json\t'JSON, for scripts'
yaml\t'YAML, for scripts'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and not __fish_seen_subcommand_from set unset help" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and not __fish_seen_subcommand_from set unset help" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and not __fish_seen_subcommand_from set unset help" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and not __fish_seen_subcommand_from set unset help" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and not __fish_seen_subcommand_from set unset help" -s n -l namespace -d 'The namespace of the ensemble (default: the context\'s namespace, else "default")' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and not __fish_seen_subcommand_from set unset help" -l request-timeout -d 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and not __fish_seen_subcommand_from set unset help" -l color -d 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and not __fish_seen_subcommand_from set unset help" -s v -l verbose -d 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and not __fish_seen_subcommand_from set unset help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and not __fish_seen_subcommand_from set unset help" -s V -l version -d 'Print version'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and not __fish_seen_subcommand_from set unset help" -f -a "set" -d 'Change ZooKeeper settings and roll them through the members, the leader last'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and not __fish_seen_subcommand_from set unset help" -f -a "unset" -d 'Remove settings (back to ZooKeeper\'s default) and roll that through the members'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and not __fish_seen_subcommand_from set unset help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from set" -l name -d 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from set" -l timeout -d 'How long each member may take to come back Ready and in sync' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from set" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
wide\t'A table with more columns'
json\t'JSON, for scripts'
yaml\t'YAML, for scripts'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from set" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from set" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from set" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from set" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from set" -s n -l namespace -d 'The namespace of the ensemble (default: the context\'s namespace, else "default")' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from set" -l request-timeout -d 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from set" -l color -d 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from set" -l dry-run -d 'Print what would change and change nothing'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from set" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from set" -s v -l verbose -d 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from set" -s V -l version -d 'Print version'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from unset" -l name -d 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from unset" -l timeout -d 'How long each member may take to come back Ready and in sync' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from unset" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
wide\t'A table with more columns'
json\t'JSON, for scripts'
yaml\t'YAML, for scripts'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from unset" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from unset" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from unset" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from unset" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from unset" -s n -l namespace -d 'The namespace of the ensemble (default: the context\'s namespace, else "default")' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from unset" -l request-timeout -d 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from unset" -l color -d 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from unset" -l dry-run -d 'Print what would change and change nothing'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from unset" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from unset" -s v -l verbose -d 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from unset" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from unset" -s V -l version -d 'Print version'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "set" -d 'Change ZooKeeper settings and roll them through the members, the leader last'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "unset" -d 'Remove settings (back to ZooKeeper\'s default) and roll that through the members'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand leader" -l name -d 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand leader" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
wide\t'A table with more columns'
json\t'JSON, for scripts'
yaml\t'YAML, for scripts'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand leader" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand leader" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand leader" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand leader" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand leader" -s n -l namespace -d 'The namespace of the ensemble (default: the context\'s namespace, else "default")' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand leader" -l request-timeout -d 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand leader" -l color -d 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand leader" -l watch -d 'Stream each member\'s mode, one line per change, until interrupted'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand leader" -l failover -d 'Delete the leader\'s pod (when the quorum survives it) and time the election'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand leader" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand leader" -s v -l verbose -d 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand leader" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand leader" -s V -l version -d 'Print version'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand drain-safe" -l timeout -d 'With --execute: how long each evicted member may take to be Ready and in sync again' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand drain-safe" -l name -d 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand drain-safe" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
wide\t'A table with more columns'
json\t'JSON, for scripts'
yaml\t'YAML, for scripts'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand drain-safe" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand drain-safe" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand drain-safe" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand drain-safe" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand drain-safe" -s n -l namespace -d 'The namespace of the ensemble (default: the context\'s namespace, else "default")' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand drain-safe" -l request-timeout -d 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand drain-safe" -l color -d 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand drain-safe" -l all-nodes -d 'Judge every node, one row each'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand drain-safe" -l execute -d 'Cordon the node and evict its members one at a time, if and while it is safe'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand drain-safe" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand drain-safe" -s A -l all-namespaces -d 'Consider the ensembles of every namespace (default: those of the namespace)'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand drain-safe" -s v -l verbose -d 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand drain-safe" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand drain-safe" -s V -l version -d 'Print version'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand persist-check" -l name -d 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand persist-check" -l via -d 'How to reach ZooKeeper\'s client port: the ZooKeeper protocol over a port-forward (default; needs nothing in the image), or `zkCli.sh` through exec (the fallback)' -r -f -a "port-forward\t'The ZooKeeper protocol over a port-forward to each member'
exec\t'`zkCli.sh` through exec in each member\'s container'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand persist-check" -l timeout -d 'How long to wait for the ensemble to be healthy again after each restart or the re-creation (e.g. 90s, 5m)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand persist-check" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
wide\t'A table with more columns'
json\t'JSON, for scripts'
yaml\t'YAML, for scripts'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand persist-check" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand persist-check" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand persist-check" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand persist-check" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand persist-check" -s n -l namespace -d 'The namespace of the ensemble (default: the context\'s namespace, else "default")' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand persist-check" -l request-timeout -d 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand persist-check" -l color -d 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand persist-check" -l restart -d 'Also restart every member, one at a time, and check the data survived'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand persist-check" -l recreate -d 'Also delete and re-create the StatefulSet, and check the data survived'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand persist-check" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand persist-check" -s v -l verbose -d 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand persist-check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand persist-check" -s V -l version -d 'Print version'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand scale" -l name -d 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand scale" -l replicas -d 'The number of members wanted (1-255; odd numbers make the best use of members)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand scale" -l timeout -d 'How long each step may take (a member to start, sync or stop)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand scale" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
wide\t'A table with more columns'
json\t'JSON, for scripts'
yaml\t'YAML, for scripts'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand scale" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand scale" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand scale" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand scale" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand scale" -s n -l namespace -d 'The namespace of the ensemble (default: the context\'s namespace, else "default")' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand scale" -l request-timeout -d 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand scale" -l color -d 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand scale" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand scale" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand scale" -l delete-data -d 'Also delete the volumes of leaving members. Asks for the ensemble name unless --yes'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand scale" -s v -l verbose -d 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand scale" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand scale" -s V -l version -d 'Print version'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restart" -l name -d 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restart" -l timeout -d 'How long each member may take to come back Ready and in sync' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restart" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
wide\t'A table with more columns'
json\t'JSON, for scripts'
yaml\t'YAML, for scripts'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restart" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restart" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restart" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restart" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restart" -s n -l namespace -d 'The namespace of the ensemble (default: the context\'s namespace, else "default")' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restart" -l request-timeout -d 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restart" -l color -d 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restart" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restart" -s v -l verbose -d 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restart" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restart" -s V -l version -d 'Print version'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand upgrade" -l name -d 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand upgrade" -l image -d 'The new image, e.g. docker.io/library/zookeeper:3.9.4 (its tag names the version)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand upgrade" -l timeout -d 'How long each member may take to come back Ready and in sync' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand upgrade" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
wide\t'A table with more columns'
json\t'JSON, for scripts'
yaml\t'YAML, for scripts'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand upgrade" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand upgrade" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand upgrade" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand upgrade" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand upgrade" -s n -l namespace -d 'The namespace of the ensemble (default: the context\'s namespace, else "default")' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand upgrade" -l request-timeout -d 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand upgrade" -l color -d 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand upgrade" -l force -d 'Allow a downgrade across minor versions'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand upgrade" -l dry-run -d 'Print what would change and change nothing'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand upgrade" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand upgrade" -s v -l verbose -d 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand upgrade" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand upgrade" -s V -l version -d 'Print version'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand migrate" -l name -d 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand migrate" -l image -d 'The official image to move to (its tag names the ZooKeeper version)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand migrate" -l timeout -d 'How long each member may take to come back Ready and in sync' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand migrate" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
wide\t'A table with more columns'
json\t'JSON, for scripts'
yaml\t'YAML, for scripts'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand migrate" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand migrate" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand migrate" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand migrate" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand migrate" -s n -l namespace -d 'The namespace of the ensemble (default: the context\'s namespace, else "default")' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand migrate" -l request-timeout -d 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand migrate" -l color -d 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand migrate" -l keep-image -d 'Only adopt the ensemble (labels, Services, PDB, StatefulSet); restart no member'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand migrate" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand migrate" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand migrate" -s v -l verbose -d 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand migrate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand migrate" -s V -l version -d 'Print version'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand cli" -l name -d 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand cli" -l member -d 'The member to talk to (default: the first that accepts a session)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand cli" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
wide\t'A table with more columns'
json\t'JSON, for scripts'
yaml\t'YAML, for scripts'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand cli" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand cli" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand cli" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand cli" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand cli" -s n -l namespace -d 'The namespace of the ensemble (default: the context\'s namespace, else "default")' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand cli" -l request-timeout -d 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand cli" -l color -d 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand cli" -s y -l yes -d 'Do not ask before a recursive delete'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand cli" -s v -l verbose -d 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand cli" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand cli" -s V -l version -d 'Print version'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand logs" -l name -d 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand logs" -l since -d 'Only lines newer than this (e.g. 10m, 1h)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand logs" -l tail -d 'Only the last N lines of each member' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand logs" -l member -d 'Only this member' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand logs" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand logs" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand logs" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand logs" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand logs" -s n -l namespace -d 'The namespace of the ensemble (default: the context\'s namespace, else "default")' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand logs" -l request-timeout -d 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand logs" -l color -d 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand logs" -s f -l follow -d 'Keep following every member (across restarts and re-created pods) until Ctrl-C'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand logs" -s p -l previous -d 'The previous container\'s log (before its last restart)'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand logs" -s v -l verbose -d 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand logs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand logs" -s V -l version -d 'Print version'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand report" -l name -d 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand report" -s f -l file -d 'The archive to write (default: kubectl-zk-report-<namespace>-<name>-<time>.tar.gz here); an existing file is never overwritten' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand report" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand report" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand report" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand report" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand report" -s n -l namespace -d 'The namespace of the ensemble (default: the context\'s namespace, else "default")' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand report" -l request-timeout -d 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand report" -l color -d 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand report" -s v -l verbose -d 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand report" -s V -l version -d 'Print version'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and not __fish_seen_subcommand_from inspect help" -l name -d 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and not __fish_seen_subcommand_from inspect help" -s f -l file -d 'The file to write (default: <ensemble>-<namespace>-<UTC time>.zkbackup here). It must not exist' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and not __fish_seen_subcommand_from inspect help" -l member -d 'Copy from this member (default: a follower in sync with the leader)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and not __fish_seen_subcommand_from inspect help" -l source -d 'How to take it: the AdminServer\'s snapshot (official flavour, ZooKeeper 3.9+), the newest snapshot and later logs through exec (any), or auto: the first where it works, else the second' -r -f -a "auto\t'The AdminServer\'s snapshot where the ensemble has one (official, 3.9+), else data-dir'
admin-snapshot\t'`GET /commands/snapshot?streaming=true` as the superuser, over a port-forward'
data-dir\t'The newest snapshot and the later transaction logs, copied through exec'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and not __fish_seen_subcommand_from inspect help" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
wide\t'A table with more columns'
json\t'JSON, for scripts'
yaml\t'YAML, for scripts'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and not __fish_seen_subcommand_from inspect help" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and not __fish_seen_subcommand_from inspect help" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and not __fish_seen_subcommand_from inspect help" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and not __fish_seen_subcommand_from inspect help" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and not __fish_seen_subcommand_from inspect help" -s n -l namespace -d 'The namespace of the ensemble (default: the context\'s namespace, else "default")' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and not __fish_seen_subcommand_from inspect help" -l request-timeout -d 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and not __fish_seen_subcommand_from inspect help" -l color -d 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and not __fish_seen_subcommand_from inspect help" -s v -l verbose -d 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and not __fish_seen_subcommand_from inspect help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and not __fish_seen_subcommand_from inspect help" -s V -l version -d 'Print version'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and not __fish_seen_subcommand_from inspect help" -f -a "inspect" -d 'Read a backup file whole and say what it holds, or why it is damaged (exit 2)'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and not __fish_seen_subcommand_from inspect help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and __fish_seen_subcommand_from inspect" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
wide\t'A table with more columns'
json\t'JSON, for scripts'
yaml\t'YAML, for scripts'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and __fish_seen_subcommand_from inspect" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and __fish_seen_subcommand_from inspect" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and __fish_seen_subcommand_from inspect" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and __fish_seen_subcommand_from inspect" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and __fish_seen_subcommand_from inspect" -s n -l namespace -d 'The namespace of the ensemble (default: the context\'s namespace, else "default")' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and __fish_seen_subcommand_from inspect" -l request-timeout -d 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and __fish_seen_subcommand_from inspect" -l color -d 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and __fish_seen_subcommand_from inspect" -s v -l verbose -d 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Read a backup file whole and say what it holds, or why it is damaged (exit 2)'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restore" -l name -d 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restore" -s f -l file -d 'The backup file (from `kubectl zk backup`)' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restore" -l back-to -d 'Put back the data an earlier restore set aside at this time (it printed it)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restore" -l timeout -d 'How long the ensemble may take to be healthy again' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restore" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restore" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restore" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restore" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restore" -s n -l namespace -d 'The namespace of the ensemble (default: the context\'s namespace, else "default")' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restore" -l request-timeout -d 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restore" -l color -d 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restore" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restore" -s v -l verbose -d 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand restore" -s V -l version -d 'Print version'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand uninstall" -l name -d 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand uninstall" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand uninstall" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand uninstall" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand uninstall" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand uninstall" -s n -l namespace -d 'The namespace of the ensemble (default: the context\'s namespace, else "default")' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand uninstall" -l request-timeout -d 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand uninstall" -l color -d 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand uninstall" -l delete-data -d 'Also delete the members\' data volumes (PVCs). Asks for the ensemble name unless --yes'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand uninstall" -l unmanaged -d 'Also remove an ensemble kubectl-zk did not install: only its StatefulSet (members stopped in reverse order); its Services, PDB and other objects are left alone'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand uninstall" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand uninstall" -s v -l verbose -d 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand uninstall" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand uninstall" -s V -l version -d 'Print version'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand completion" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand completion" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand completion" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand completion" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand completion" -s n -l namespace -d 'The namespace of the ensemble (default: the context\'s namespace, else "default")' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand completion" -l request-timeout -d 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand completion" -l color -d 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand completion" -s v -l verbose -d 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand completion" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand completion" -s V -l version -d 'Print version'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand version" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
wide\t'A table with more columns'
json\t'JSON, for scripts'
yaml\t'YAML, for scripts'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand version" -l kubeconfig -d 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)' -r -F
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand version" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand version" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand version" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand version" -s n -l namespace -d 'The namespace of the ensemble (default: the context\'s namespace, else "default")' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand version" -l request-timeout -d 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)' -r
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand version" -l color -d 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand version" -l client -d 'Only the plugin\'s version; do not ask the server'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand version" -s v -l verbose -d 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand version" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand version" -s V -l version -d 'Print version'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand help; and not __fish_seen_subcommand_from install status myid config leader drain-safe persist-check scale restart upgrade migrate cli logs report backup restore uninstall completion version help" -f -a "install" -d 'Create (or update) a ZooKeeper ensemble: StatefulSet, Services, PodDisruptionBudget, ConfigMap'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand help; and not __fish_seen_subcommand_from install status myid config leader drain-safe persist-check scale restart upgrade migrate cli logs report backup restore uninstall completion version help" -f -a "status" -d 'Show the ensemble as Kubernetes and ZooKeeper see it: members, leader, quorum, lag'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand help; and not __fish_seen_subcommand_from install status myid config leader drain-safe persist-check scale restart upgrade migrate cli logs report backup restore uninstall completion version help" -f -a "myid" -d 'Check each member\'s myid file against its ordinal and its server.N line in zoo.cfg'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand help; and not __fish_seen_subcommand_from install status myid config leader drain-safe persist-check scale restart upgrade migrate cli logs report backup restore uninstall completion version help" -f -a "config" -d 'Show each member\'s live zoo.cfg and lint it; `config set`/`unset` change settings'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand help; and not __fish_seen_subcommand_from install status myid config leader drain-safe persist-check scale restart upgrade migrate cli logs report backup restore uninstall completion version help" -f -a "leader" -d 'Print the leader; --watch streams mode changes, --failover moves leadership'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand help; and not __fish_seen_subcommand_from install status myid config leader drain-safe persist-check scale restart upgrade migrate cli logs report backup restore uninstall completion version help" -f -a "drain-safe" -d 'Say whether draining a node now is safe for the ensemble (quorum, PDB, rescheduling)'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand help; and not __fish_seen_subcommand_from install status myid config leader drain-safe persist-check scale restart upgrade migrate cli logs report backup restore uninstall completion version help" -f -a "persist-check" -d 'Prove that data survives: replication across members, volumes, restarts and re-creation'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand help; and not __fish_seen_subcommand_from install status myid config leader drain-safe persist-check scale restart upgrade migrate cli logs report backup restore uninstall completion version help" -f -a "scale" -d 'Grow or shrink the ensemble, one member at a time, keeping the quorum and every write'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand help; and not __fish_seen_subcommand_from install status myid config leader drain-safe persist-check scale restart upgrade migrate cli logs report backup restore uninstall completion version help" -f -a "restart" -d 'Restart every member one at a time (followers first, the leader last), or one member'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand help; and not __fish_seen_subcommand_from install status myid config leader drain-safe persist-check scale restart upgrade migrate cli logs report backup restore uninstall completion version help" -f -a "upgrade" -d 'Change the ZooKeeper version: the new image rolled one member at a time, the leader last'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand help; and not __fish_seen_subcommand_from install status myid config leader drain-safe persist-check scale restart upgrade migrate cli logs report backup restore uninstall completion version help" -f -a "migrate" -d 'Take over an ensemble made from the seeds\' manifest and move it to the official image'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand help; and not __fish_seen_subcommand_from install status myid config leader drain-safe persist-check scale restart upgrade migrate cli logs report backup restore uninstall completion version help" -f -a "cli" -d 'ZooKeeper\'s client commands (ls, get, create, set, delete, …) without a JVM: one-shot or interactive'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand help; and not __fish_seen_subcommand_from install status myid config leader drain-safe persist-check scale restart upgrade migrate cli logs report backup restore uninstall completion version help" -f -a "logs" -d 'Every member\'s log merged in time order, each line prefixed with its member; -f follows'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand help; and not __fish_seen_subcommand_from install status myid config leader drain-safe persist-check scale restart upgrade migrate cli logs report backup restore uninstall completion version help" -f -a "report" -d 'One archive for a bug report: objects, status/config/myid, members\' answers, logs; no secrets'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand help; and not __fish_seen_subcommand_from install status myid config leader drain-safe persist-check scale restart upgrade migrate cli logs report backup restore uninstall completion version help" -f -a "backup" -d 'Back up the ensemble\'s data to one local file; `backup inspect FILE` checks one'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand help; and not __fish_seen_subcommand_from install status myid config leader drain-safe persist-check scale restart upgrade migrate cli logs report backup restore uninstall completion version help" -f -a "restore" -d 'Put a backup\'s data in place of the ensemble\'s (the replaced data is kept aside)'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand help; and not __fish_seen_subcommand_from install status myid config leader drain-safe persist-check scale restart upgrade migrate cli logs report backup restore uninstall completion version help" -f -a "uninstall" -d 'Remove the ensemble, members in reverse ordinal order; volumes are kept unless --delete-data'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand help; and not __fish_seen_subcommand_from install status myid config leader drain-safe persist-check scale restart upgrade migrate cli logs report backup restore uninstall completion version help" -f -a "completion" -d 'Print a shell completion script (bash, zsh, fish, powershell)'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand help; and not __fish_seen_subcommand_from install status myid config leader drain-safe persist-check scale restart upgrade migrate cli logs report backup restore uninstall completion version help" -f -a "version" -d 'Print the plugin\'s version and commit, and the server\'s version when it is reachable'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand help; and not __fish_seen_subcommand_from install status myid config leader drain-safe persist-check scale restart upgrade migrate cli logs report backup restore uninstall completion version help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "set" -d 'Change ZooKeeper settings and roll them through the members, the leader last'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "unset" -d 'Remove settings (back to ZooKeeper\'s default) and roll that through the members'
complete -c kubectl-zk -n "__fish_kubectl_zk_using_subcommand help; and __fish_seen_subcommand_from backup" -f -a "inspect" -d 'Read a backup file whole and say what it holds, or why it is damaged (exit 2)'
