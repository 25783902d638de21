// Command controlplane is one multi-call binary holding the upstream Kubernetes control plane
// the test cluster runs: kube-apiserver, kube-controller-manager, kube-scheduler, etcd and
// kubectl. The component is the first argument (or the name the binary is called by), so one
// build serves all of them; each runs as its own process, as upstream requires (two cobra
// commands of Kubernetes in one process share a feature gate and panic on shutdown).
//
// Nothing of Kubernetes is copied here: every component is the upstream command, taken as a
// module dependency at the version go.mod pins.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	_ "time/tzdata" // CronJob time zones, as upstream's binaries do

	"go.etcd.io/etcd/server/v3/etcdmain"
	"k8s.io/component-base/cli"
	"k8s.io/component-base/logs"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	kubectl "k8s.io/kubectl/pkg/cmd"
	kubectlutil "k8s.io/kubectl/pkg/cmd/util"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
)

const usage = "usage: controlplane kube-apiserver|kube-controller-manager|kube-scheduler|etcd|kubectl [FLAGS]"

func main() {
	component := filepath.Base(os.Args[0])
	args := os.Args[1:]
	if !known(component) {
		if len(args) == 0 {
			fmt.Fprintln(os.Stderr, usage)
			os.Exit(2)
		}
		component, args = args[0], args[1:]
	}
	// Every upstream command reads os.Args itself (etcd, kubectl's verbosity): show it the
	// arguments it would have had as its own binary.
	os.Args = append([]string{component}, args...)
	switch component {
	case "kube-apiserver":
		os.Exit(cli.Run(apiserver.NewAPIServerCommand()))
	case "kube-controller-manager":
		os.Exit(cli.Run(controllermanager.NewControllerManagerCommand()))
	case "kube-scheduler":
		os.Exit(cli.Run(scheduler.NewSchedulerCommand()))
	case "etcd":
		etcdmain.Main(os.Args)
	case "kubectl":
		logs.GlogSetter(kubectl.GetLogVerbosity(os.Args)) // nolint:errcheck
		if err := cli.RunNoErrOutput(kubectl.NewDefaultKubectlCommand()); err != nil {
			kubectlutil.CheckErr(err)
		}
	default:
		fmt.Fprintf(os.Stderr, "controlplane: unknown component %q\n%s\n", component, usage)
		os.Exit(2)
	}
}

func known(name string) bool {
	switch name {
	case "kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd", "kubectl":
		return true
	}
	return false
}
