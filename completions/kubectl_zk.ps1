
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kubectl-zk' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kubectl-zk'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kubectl-zk' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Create (or update) a ZooKeeper ensemble: StatefulSet, Services, PodDisruptionBudget, ConfigMap')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the ensemble as Kubernetes and ZooKeeper see it: members, leader, quorum, lag')
            [CompletionResult]::new('myid', 'myid', [CompletionResultType]::ParameterValue, 'Check each member''s myid file against its ordinal and its server.N line in zoo.cfg')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show each member''s live zoo.cfg and lint it; `config set`/`unset` change settings')
            [CompletionResult]::new('leader', 'leader', [CompletionResultType]::ParameterValue, 'Print the leader; --watch streams mode changes, --failover moves leadership')
            [CompletionResult]::new('drain-safe', 'drain-safe', [CompletionResultType]::ParameterValue, 'Say whether draining a node now is safe for the ensemble (quorum, PDB, rescheduling)')
            [CompletionResult]::new('persist-check', 'persist-check', [CompletionResultType]::ParameterValue, 'Prove that data survives: replication across members, volumes, restarts and re-creation')
            [CompletionResult]::new('scale', 'scale', [CompletionResultType]::ParameterValue, 'Grow or shrink the ensemble, one member at a time, keeping the quorum and every write')
            [CompletionResult]::new('restart', 'restart', [CompletionResultType]::ParameterValue, 'Restart every member one at a time (followers first, the leader last), or one member')
            [CompletionResult]::new('upgrade', 'upgrade', [CompletionResultType]::ParameterValue, 'Change the ZooKeeper version: the new image rolled one member at a time, the leader last')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Take over an ensemble made from the seeds'' manifest and move it to the official image')
            [CompletionResult]::new('cli', 'cli', [CompletionResultType]::ParameterValue, 'ZooKeeper''s client commands (ls, get, create, set, delete, …) without a JVM: one-shot or interactive')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Every member''s log merged in time order, each line prefixed with its member; -f follows')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'One archive for a bug report: objects, status/config/myid, members'' answers, logs; no secrets')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Back up the ensemble''s data to one local file; `backup inspect FILE` checks one')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Put a backup''s data in place of the ensemble''s (the replaced data is kept aside)')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove the ensemble, members in reverse ordinal order; volumes are kept unless --delete-data')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell)')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the plugin''s version and commit, and the server''s version when it is reachable')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-zk;install' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The ensemble''s name: its StatefulSet, and the prefix of its Services and PDB')
            [CompletionResult]::new('--replicas', '--replicas', [CompletionResultType]::ParameterName, 'Number of ZooKeeper servers (1-255; odd numbers make the best use of members)')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'Container image. Its flavour (official or k8s-tutorial) is inferred from the name')
            [CompletionResult]::new('--flavor', '--flavor', [CompletionResultType]::ParameterName, 'Image flavour, when it cannot be inferred from --image')
            [CompletionResult]::new('--storage-class', '--storage-class', [CompletionResultType]::ParameterName, 'StorageClass of the data volumes (default: the cluster''s default class)')
            [CompletionResult]::new('--storage-size', '--storage-size', [CompletionResultType]::ParameterName, 'Size of each member''s data volume')
            [CompletionResult]::new('--heap', '--heap', [CompletionResultType]::ParameterName, 'JVM heap of each server (e.g. 512M, 2G)')
            [CompletionResult]::new('--cpu', '--cpu', [CompletionResultType]::ParameterName, 'CPU request of each member')
            [CompletionResult]::new('--memory', '--memory', [CompletionResultType]::ParameterName, 'Memory request of each member (leave room above --heap)')
            [CompletionResult]::new('--anti-affinity', '--anti-affinity', [CompletionResultType]::ParameterName, 'Pod anti-affinity on kubernetes.io/hostname: one member per node (required), spread when possible (preferred), or none')
            [CompletionResult]::new('--pod-management-policy', '--pod-management-policy', [CompletionResultType]::ParameterName, 'StatefulSet pod management (default: Parallel for official, OrderedReady for k8s-tutorial)')
            [CompletionResult]::new('--tick-time', '--tick-time', [CompletionResultType]::ParameterName, 'ZooKeeper tickTime in milliseconds [default: 2000]')
            [CompletionResult]::new('--init-limit', '--init-limit', [CompletionResultType]::ParameterName, 'ZooKeeper initLimit in ticks [default: 10]')
            [CompletionResult]::new('--sync-limit', '--sync-limit', [CompletionResultType]::ParameterName, 'ZooKeeper syncLimit in ticks [default: 5]')
            [CompletionResult]::new('--max-client-cnxns', '--max-client-cnxns', [CompletionResultType]::ParameterName, 'Maximum client connections per client IP (0 = unlimited) [default: 60]')
            [CompletionResult]::new('--snap-retain-count', '--snap-retain-count', [CompletionResultType]::ParameterName, 'Snapshots (and their logs) kept by autopurge (at least 3) [default: 3]')
            [CompletionResult]::new('--purge-interval', '--purge-interval', [CompletionResultType]::ParameterName, 'Hours between autopurge runs (0 = autopurge off) [default: 12]')
            [CompletionResult]::new('--min-session-timeout', '--min-session-timeout', [CompletionResultType]::ParameterName, 'Minimum session timeout in milliseconds (default: 2 x tick time)')
            [CompletionResult]::new('--max-session-timeout', '--max-session-timeout', [CompletionResultType]::ParameterName, 'Maximum session timeout in milliseconds (default: 20 x tick time)')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Server log level')
            [CompletionResult]::new('--cluster-domain', '--cluster-domain', [CompletionResultType]::ParameterName, 'The cluster''s DNS domain, used in the servers'' host names')
            [CompletionResult]::new('--openshift', '--openshift', [CompletionResultType]::ParameterName, 'OpenShift handling: detect it from the API (auto), or force it on or off')
            [CompletionResult]::new('--scc', '--scc', [CompletionResultType]::ParameterName, 'The SecurityContextConstraints the members run under on OpenShift: anyuid (run as user 1000; install grants it to the ensemble''s ServiceAccount) or restricted (no fixed user, no grant needed; official flavour only)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the objects instead of creating them ("client", the default when given without a value), or ask the server to check them without persisting ("server")')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait until every member is Ready and a leader is elected')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long --wait waits')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format (with --dry-run: yaml or json; default yaml)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format (with --dry-run: yaml or json; default yaml)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout')
            [CompletionResult]::new('--metrics', '--metrics', [CompletionResultType]::ParameterName, 'Export Prometheus metrics on port 7000 (ZooKeeper 3.6+): a PodMonitor where the cluster serves monitoring.coreos.com, else the prometheus.io scrape annotations')
            [CompletionResult]::new('--create-namespace', '--create-namespace', [CompletionResultType]::ParameterName, 'Create the namespace when it does not exist')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-zk;status' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"')
            [CompletionResult]::new('--via', '--via', [CompletionResultType]::ParameterName, 'Force one transport to ZooKeeper instead of the best that works')
            [CompletionResult]::new('--member-timeout', '--member-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each member''s answer')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'List every ensemble in every namespace, one line each')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'List every ensemble in every namespace, one line each')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-zk;myid' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-zk;config' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Change ZooKeeper settings and roll them through the members, the leader last')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Remove settings (back to ZooKeeper''s default) and roll that through the members')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-zk;config;set' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long each member may take to come back Ready and in sync')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print what would change and change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-zk;config;unset' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long each member may take to come back Ready and in sync')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print what would change and change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-zk;config;help' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Change ZooKeeper settings and roll them through the members, the leader last')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Remove settings (back to ZooKeeper''s default) and roll that through the members')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-zk;config;help;set' {
            break
        }
        'kubectl-zk;config;help;unset' {
            break
        }
        'kubectl-zk;config;help;help' {
            break
        }
        'kubectl-zk;leader' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Stream each member''s mode, one line per change, until interrupted')
            [CompletionResult]::new('--failover', '--failover', [CompletionResultType]::ParameterName, 'Delete the leader''s pod (when the quorum survives it) and time the election')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-zk;drain-safe' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'With --execute: how long each evicted member may take to be Ready and in sync again')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout')
            [CompletionResult]::new('--all-nodes', '--all-nodes', [CompletionResultType]::ParameterName, 'Judge every node, one row each')
            [CompletionResult]::new('--execute', '--execute', [CompletionResultType]::ParameterName, 'Cordon the node and evict its members one at a time, if and while it is safe')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Consider the ensembles of every namespace (default: those of the namespace)')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Consider the ensembles of every namespace (default: those of the namespace)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-zk;persist-check' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"')
            [CompletionResult]::new('--via', '--via', [CompletionResultType]::ParameterName, 'How to reach ZooKeeper''s client port: the ZooKeeper protocol over a port-forward (default; needs nothing in the image), or `zkCli.sh` through exec (the fallback)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the ensemble to be healthy again after each restart or the re-creation (e.g. 90s, 5m)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout')
            [CompletionResult]::new('--restart', '--restart', [CompletionResultType]::ParameterName, 'Also restart every member, one at a time, and check the data survived')
            [CompletionResult]::new('--recreate', '--recreate', [CompletionResultType]::ParameterName, 'Also delete and re-create the StatefulSet, and check the data survived')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-zk;scale' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"')
            [CompletionResult]::new('--replicas', '--replicas', [CompletionResultType]::ParameterName, 'The number of members wanted (1-255; odd numbers make the best use of members)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long each step may take (a member to start, sync or stop)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--delete-data', '--delete-data', [CompletionResultType]::ParameterName, 'Also delete the volumes of leaving members. Asks for the ensemble name unless --yes')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-zk;restart' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long each member may take to come back Ready and in sync')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-zk;upgrade' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'The new image, e.g. docker.io/library/zookeeper:3.9.4 (its tag names the version)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long each member may take to come back Ready and in sync')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Allow a downgrade across minor versions')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print what would change and change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-zk;migrate' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'The official image to move to (its tag names the ZooKeeper version)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long each member may take to come back Ready and in sync')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout')
            [CompletionResult]::new('--keep-image', '--keep-image', [CompletionResultType]::ParameterName, 'Only adopt the ensemble (labels, Services, PDB, StatefulSet); restart no member')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-zk;cli' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"')
            [CompletionResult]::new('--member', '--member', [CompletionResultType]::ParameterName, 'The member to talk to (default: the first that accepts a session)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask before a recursive delete')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask before a recursive delete')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-zk;logs' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only lines newer than this (e.g. 10m, 1h)')
            [CompletionResult]::new('--tail', '--tail', [CompletionResultType]::ParameterName, 'Only the last N lines of each member')
            [CompletionResult]::new('--member', '--member', [CompletionResultType]::ParameterName, 'Only this member')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep following every member (across restarts and re-created pods) until Ctrl-C')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep following every member (across restarts and re-created pods) until Ctrl-C')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'The previous container''s log (before its last restart)')
            [CompletionResult]::new('--previous', '--previous', [CompletionResultType]::ParameterName, 'The previous container''s log (before its last restart)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-zk;report' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'The archive to write (default: kubectl-zk-report-<namespace>-<name>-<time>.tar.gz here); an existing file is never overwritten')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The archive to write (default: kubectl-zk-report-<namespace>-<name>-<time>.tar.gz here); an existing file is never overwritten')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-zk;backup' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'The file to write (default: <ensemble>-<namespace>-<UTC time>.zkbackup here). It must not exist')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The file to write (default: <ensemble>-<namespace>-<UTC time>.zkbackup here). It must not exist')
            [CompletionResult]::new('--member', '--member', [CompletionResultType]::ParameterName, 'Copy from this member (default: a follower in sync with the leader)')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'How to take it: the AdminServer''s snapshot (official flavour, ZooKeeper 3.9+), the newest snapshot and later logs through exec (any), or auto: the first where it works, else the second')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Read a backup file whole and say what it holds, or why it is damaged (exit 2)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-zk;backup;inspect' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-zk;backup;help' {
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Read a backup file whole and say what it holds, or why it is damaged (exit 2)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-zk;backup;help;inspect' {
            break
        }
        'kubectl-zk;backup;help;help' {
            break
        }
        'kubectl-zk;restore' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'The backup file (from `kubectl zk backup`)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The backup file (from `kubectl zk backup`)')
            [CompletionResult]::new('--back-to', '--back-to', [CompletionResultType]::ParameterName, 'Put back the data an earlier restore set aside at this time (it printed it)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long the ensemble may take to be healthy again')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-zk;uninstall' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The ensemble: the name of its StatefulSet. Default: the only ensemble in the namespace, else "zk"')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout')
            [CompletionResult]::new('--delete-data', '--delete-data', [CompletionResultType]::ParameterName, 'Also delete the members'' data volumes (PVCs). Asks for the ensemble name unless --yes')
            [CompletionResult]::new('--unmanaged', '--unmanaged', [CompletionResultType]::ParameterName, 'Also remove an ensemble kubectl-zk did not install: only its StatefulSet (members stopped in reverse order); its Services, PDB and other objects are left alone')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-zk;completion' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-zk;version' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use (default: $KUBECONFIG, a list of files, or ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace of the ensemble (default: the context''s namespace, else "default")')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single request to the API server before giving up (e.g. 1s, 2m, 3h; 0 = no timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto honours NO_COLOR and a non-terminal stdout')
            [CompletionResult]::new('--client', '--client', [CompletionResultType]::ParameterName, 'Only the plugin''s version; do not ask the server')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (on stderr); repeat for more. Never prints tokens or certificates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-zk;help' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Create (or update) a ZooKeeper ensemble: StatefulSet, Services, PodDisruptionBudget, ConfigMap')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the ensemble as Kubernetes and ZooKeeper see it: members, leader, quorum, lag')
            [CompletionResult]::new('myid', 'myid', [CompletionResultType]::ParameterValue, 'Check each member''s myid file against its ordinal and its server.N line in zoo.cfg')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show each member''s live zoo.cfg and lint it; `config set`/`unset` change settings')
            [CompletionResult]::new('leader', 'leader', [CompletionResultType]::ParameterValue, 'Print the leader; --watch streams mode changes, --failover moves leadership')
            [CompletionResult]::new('drain-safe', 'drain-safe', [CompletionResultType]::ParameterValue, 'Say whether draining a node now is safe for the ensemble (quorum, PDB, rescheduling)')
            [CompletionResult]::new('persist-check', 'persist-check', [CompletionResultType]::ParameterValue, 'Prove that data survives: replication across members, volumes, restarts and re-creation')
            [CompletionResult]::new('scale', 'scale', [CompletionResultType]::ParameterValue, 'Grow or shrink the ensemble, one member at a time, keeping the quorum and every write')
            [CompletionResult]::new('restart', 'restart', [CompletionResultType]::ParameterValue, 'Restart every member one at a time (followers first, the leader last), or one member')
            [CompletionResult]::new('upgrade', 'upgrade', [CompletionResultType]::ParameterValue, 'Change the ZooKeeper version: the new image rolled one member at a time, the leader last')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Take over an ensemble made from the seeds'' manifest and move it to the official image')
            [CompletionResult]::new('cli', 'cli', [CompletionResultType]::ParameterValue, 'ZooKeeper''s client commands (ls, get, create, set, delete, …) without a JVM: one-shot or interactive')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Every member''s log merged in time order, each line prefixed with its member; -f follows')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'One archive for a bug report: objects, status/config/myid, members'' answers, logs; no secrets')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Back up the ensemble''s data to one local file; `backup inspect FILE` checks one')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Put a backup''s data in place of the ensemble''s (the replaced data is kept aside)')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove the ensemble, members in reverse ordinal order; volumes are kept unless --delete-data')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell)')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the plugin''s version and commit, and the server''s version when it is reachable')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-zk;help;install' {
            break
        }
        'kubectl-zk;help;status' {
            break
        }
        'kubectl-zk;help;myid' {
            break
        }
        'kubectl-zk;help;config' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Change ZooKeeper settings and roll them through the members, the leader last')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Remove settings (back to ZooKeeper''s default) and roll that through the members')
            break
        }
        'kubectl-zk;help;config;set' {
            break
        }
        'kubectl-zk;help;config;unset' {
            break
        }
        'kubectl-zk;help;leader' {
            break
        }
        'kubectl-zk;help;drain-safe' {
            break
        }
        'kubectl-zk;help;persist-check' {
            break
        }
        'kubectl-zk;help;scale' {
            break
        }
        'kubectl-zk;help;restart' {
            break
        }
        'kubectl-zk;help;upgrade' {
            break
        }
        'kubectl-zk;help;migrate' {
            break
        }
        'kubectl-zk;help;cli' {
            break
        }
        'kubectl-zk;help;logs' {
            break
        }
        'kubectl-zk;help;report' {
            break
        }
        'kubectl-zk;help;backup' {
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Read a backup file whole and say what it holds, or why it is damaged (exit 2)')
            break
        }
        'kubectl-zk;help;backup;inspect' {
            break
        }
        'kubectl-zk;help;restore' {
            break
        }
        'kubectl-zk;help;uninstall' {
            break
        }
        'kubectl-zk;help;completion' {
            break
        }
        'kubectl-zk;help;version' {
            break
        }
        'kubectl-zk;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
