#!/usr/bin/env python3
"""Writes docs/schema/<kind>.json, the JSON Schema of every document kubectl-zk prints with
-o json|yaml (see docs/output.md). Run it after changing an output model; the live tests
validate every command's output against these files."""
import json, os
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'docs', 'schema')
S = {"type": "string"}; I = {"type": "integer", "minimum": 0}; SI = {"type": "integer"}; B = {"type": "boolean"}; N = {"type": "number"}
def null(x): return {"anyOf": [x, {"type": "null"}]}
def arr(x): return {"type": "array", "items": x}
def enum(*v): return {"type": "string", "enum": list(v)}
def obj(props, optional=()):
    return {"type": "object", "properties": props, "required": [k for k in props if k not in optional], "additionalProperties": False}
def ref(kind, part=None): return {"$ref": f"{kind}.json" + (f"#/$defs/{part}" if part else "")}
MODE = enum("leader", "follower", "observer", "standalone", "read-only", "not-serving", "unreachable", "missing")
ZKMODE = enum("leader", "follower", "observer", "standalone", "read-only")
HEALTH = enum("healthy", "degraded", "quorum-lost")
FLAVOR = null(enum("official", "k8s-tutorial"))
ZXID = {"type": "string", "pattern": "^0x[0-9a-f]+$"}
BUDGET = obj({"name": S, "disruptionsAllowed": SI, "currentHealthy": SI, "desiredHealthy": SI,
              "unhealthyPodEvictionPolicy": enum("if-healthy-budget", "always-allow")})
def doc(kind, title, description, props, defs=None, optional=()):
    s = {"$schema": "https://json-schema.org/draft/2020-12/schema",
         "$id": f"https://kubectl-zk.io/schema/{kind}.json",
         "title": title, "description": description}
    body = obj({"apiVersion": {"const": "kubectl-zk.io/v1alpha1"}, "kind": {"const": kind}, **props}, optional)
    s.update(body)
    if defs: s["$defs"] = defs
    with open(os.path.join(OUT, f"{kind}.json"), "w") as f:
        json.dump(s, f, indent=2); f.write("\n")
def lst(kind, item, title):
    doc(kind, title, f"A list of {item} documents (their own apiVersion and kind left out), as `-A` / `--all-nodes` print it.",
        {"items": arr(ref(item, "body"))})

server = obj({"version": S, "mode": ZKMODE, "zxid": null(ZXID), "outstanding": null(I), "avgLatencyMs": N,
              "connections": null(I), "nodeCount": I})
member = obj({"pod": S, "namespace": S, "ordinal": I, "exists": B, "ready": B, "phase": S, "node": null(S), "myid": null(I),
              "mode": MODE, "server": null(server), "lag": null(I), "pvc": null(S), "pvcBound": null(B),
              "via": null(enum("proxy", "port-forward", "exec")), "error": null(S), "refused": arr(S),
              "syncedFollowers": null(I), "settings": {"type": "object", "additionalProperties": S},
              "scc": S}, optional=("scc",))
status_props = {"ensemble": S, "namespace": S, "image": S, "flavor": FLAVOR, "managed": B, "zookeeperVersion": null(S),
                "desired": I, "ready": I, "voters": I, "quorumSize": I, "serving": I, "quorumHolds": B,
                "leader": null(S), "syncedFollowers": null(I), "pdb": null(BUDGET), "members": arr(member),
                "health": HEALTH, "problems": arr(S), "openshift": B, "createFailure": null(S), "notChecked": arr(S)}
doc("EnsembleStatus", "kubectl zk status -o json",
    "One ensemble from both views: Kubernetes (pods, claims, budget) and ZooKeeper (mode, zxid, lag, quorum).",
    status_props, {"body": obj(status_props), "member": member})
lst("EnsembleStatusList", "EnsembleStatus", "kubectl zk status -A -o json")

reschedule = obj({"schedulable": B, "nodes": arr(S), "message": null(S)})
on_node = obj({"pod": S, "namespace": S, "mode": MODE, "leader": B, "ready": B, "inSync": B, "reschedule": reschedule})
ens_j = obj({"ensemble": S, "namespace": S, "voters": I, "quorumSize": I, "inSyncNow": I, "inSyncAfter": I,
             "leader": null(S), "leaderNode": null(S), "syncedFollowers": null(I), "pdb": null(BUDGET),
             "members": arr(on_node)})
reason = obj({"kind": enum("quorum", "budget", "would-stay-pending"), "ensemble": S, "summary": S, "message": S})
drain_props = {"node": S, "cordoned": B, "verdict": enum("safe", "unsafe"), "reasons": arr(reason), "notes": arr(S),
               "checked": arr(S), "ensembles": arr(ens_j), "otherPods": arr(S)}
doc("DrainJudgement", "kubectl zk drain-safe NODE -o json",
    "Whether draining one node is safe for every ensemble with a member on it: quorum, budget, rescheduling.",
    drain_props, {"body": obj(drain_props)})
lst("DrainJudgementList", "DrainJudgement", "kubectl zk drain-safe --all-nodes -o json")

doc("Leader", "kubectl zk leader -o json", "The leader, as ZooKeeper reports it.",
    {"ensemble": S, "namespace": S, "leader": null(S), "myid": null(I), "node": null(S), "syncedFollowers": null(I)})
doc("LeaderChange", "kubectl zk leader --watch -o json (one document per line)",
    "A member's mode changed (or its phase while it is down).",
    {"time": {"type": "string", "format": "date-time"}, "ensemble": S, "namespace": S, "pod": S, "mode": MODE, "phase": S})
check = obj({"leader": null(S), "leaderMyid": null(I), "voters": I, "votersFrom": enum("zookeeper", "statefulset"),
             "quorumSize": I, "followersInSync": arr(S), "syncedFollowers": null(I), "remaining": I, "survives": B,
             "reasons": arr(S)})
doc("Failover", "kubectl zk leader --failover -o json",
    "The quorum check before the leader was deleted, and what the failover measured.",
    {"ensemble": S, "namespace": S, "check": check, "leaderDeleted": B, "newLeader": null(S),
     "electionSeconds": null(N), "rejoinSeconds": null(N), "oldLeaderMode": null(ZKMODE), "health": null(HEALTH),
     "problems": arr(S)})
ids = obj({"pod": S, "expected": I, "myid": null(I), "serverLine": null(S), "serverHost": null(S), "fqdn": null(S),
           "problems": arr(S)})
doc("MyidReport", "kubectl zk myid -o json", "Each member's myid against its ordinal, its server.N line and its FQDN.",
    {"ensemble": S, "namespace": S, "members": arr(ids)})
cfg_member = obj({"pod": S, "ordinal": I, "zooCfg": null(S), "myidPath": null(S), "myid": null(I), "myidFile": null(S),
                  "error": null(S)})
finding = obj({"severity": enum("error", "warning", "info"), "check": S, "members": arr(S), "message": S, "fix": S})
doc("ConfigReport", "kubectl zk config -o json",
    "Each member's live zoo.cfg against the source (ConfigMap or start flags), differences and lint findings.",
    {"ensemble": S, "namespace": S, "image": S, "flavor": FLAVOR, "replicas": I, "path": S,
     "source": null(obj({"kind": enum("config-map", "start-flags"), "name": S, "zooCfg": null(S), "error": null(S)})),
     "members": arr(cfg_member),
     "identical": B,
     "memberDifferences": arr(obj({"key": S, "values": {"type": "object", "additionalProperties": null(S)}})),
     "sourceDifferences": arr(obj({"key": S, "kind": enum("missing", "extra", "different"), "source": null(S),
                                   "live": null(S), "members": arr(S)})),
     "findings": arr(finding), "ok": B})
VERDICT = enum("pass", "fail", "skip")
read = obj({"pod": S, "via": null(enum("port-forward", "exec")), "found": B, "visibleAfterMs": null(I), "neededSync": B,
            "error": null(S)})
storage = obj({"pod": S, "dataDir": S, "mountPath": null(S), "volume": null(S),
               "kind": enum("persistent-volume-claim", "empty-dir", "host-path", "other", "none"), "claim": null(S),
               "claimUid": null(S), "phase": null(S), "persistentVolume": null(S), "reclaimPolicy": null(S),
               "storageClass": null(S), "note": null(S)})
doc("PersistReport", "kubectl zk persist-check -o json",
    "Proof that data survives: replication of a sentinel to every member, storage, the restart or re-creation step, clean-up.",
    {"ensemble": S, "namespace": S, "sentinel": S, "sentinelData": S, "writtenVia": null(S),
     "step": null(enum("restart", "recreate")),
     "checks": arr(obj({"check": enum("replication", "storage", "step", "survive", "cleanup"), "subject": S,
                        "result": VERDICT, "reason": S})),
     "replication": arr(read), "storage": arr(storage),
     "leftoverClaims": arr(obj({"claim": S, "ordinal": I, "phase": null(S)})),
     "survived": arr(read), "claims": arr(obj({"claim": S, "pod": S, "before": null(S), "after": null(S)})),
     "stepSeconds": null(N),
     "cleanup": obj({"written": B, "removed": B, "removedParents": arr(S), "error": null(S)}),
     "problems": arr(S), "pass": B})
doc("InstallReport", "kubectl zk install -o json",
    "What install applied and, with --wait, the members Ready and the leader.",
    {"ensemble": S, "namespace": S, "storageClass": S, "openshift": B, "dryRun": B,
     "objects": arr(obj({"object": S, "action": enum("created", "configured", "unchanged"), "changes": arr(S), "takenBack": arr(S)}, optional=("takenBack",))),
     "ready": null(I), "leader": null(S), "notReady": arr(S)})
ACTION = enum("update-template", "start", "add", "remove", "move-leadership", "roll", "stop", "delete-volume")
step_props = {"action": ACTION, "pod": null(S), "server": null(I), "servers": I, "detail": S}
step = obj(step_props, optional=("servers",))
doc("ScaleReport", "kubectl zk scale -o json",
    "The plan to change the member count, step by step (with --dry-run, only the plan), then the steps that ran with their times and the members at the end.",
    {"ensemble": S, "namespace": S, "from": I, "to": I, "voters": arr(I),
     "method": enum("reconfig", "rolling-restart"), "steps": arr(step),
     "volumesKept": arr(S), "volumesDeleted": arr(S), "dryRun": B,
     "done": arr(obj({**step_props, "seconds": N, "restarted": arr(S)}, optional=("servers",))),
     "seconds": N, "members": arr(obj({"pod": S, "mode": MODE, "ready": B})), "leader": null(S),
     "problems": arr(S)})
doc("Rollout", "kubectl zk restart|upgrade|config set|config unset -o json",
    "A change rolled through the members by the rollout engine: which members were restarted, in order (the leader last), how long each took to be back in sync, and the version each answered with when one was expected.",
    {"ensemble": S, "namespace": S, "change": enum("restart", "upgrade", "config-set", "config-unset", "migrate"), "detail": S, "dryRun": B,
     "restarted": arr(obj({"pod": S, "wasLeader": B, "seconds": N, "version": null(S)})),
     "alreadyCurrent": arr(S), "leader": null(S), "seconds": N})
znode_stat = obj({"czxid": I, "mzxid": I, "ctime": I, "mtime": I, "pzxid": I, "cversion": I,
                  "dataVersion": I, "aclVersion": I, "ephemeralOwner": SI, "dataLength": I,
                  "numChildren": I})
doc("Znode", "kubectl zk cli -o json COMMAND",
    "What one ZooKeeper command run by `cli` answered: the member, the command, the znode's path (for create, the path ZooKeeper gave it), and whichever of data, stat, children, ACL and the number of znodes deleted the command returns (null otherwise).",
    {"member": S, "command": S, "path": null(S), "data": null(S), "stat": null(znode_stat),
     "children": null(arr(S)),
     "acl": null(arr(obj({"scheme": S, "id": S, "perms": S}))), "deleted": null(I)})
backup_header = obj({"ensemble": S, "namespace": S, "zookeeperVersion": S, "flavor": S, "member": S, "time": S,
                     "source": enum("dataDir", "adminSnapshot"), "lastZxid": ZXID, "znodes": I, "dataBytes": I,
                     "files": arr(obj({"name": S, "bytes": I})), "payloadBytes": I, "payloadSha256": S})
doc("Backup", "kubectl zk backup -o json",
    "The backup file written and its header: where and when it was taken, the last zxid it holds, its checksum.",
    {"file": S, "fileBytes": I, "header": backup_header, "seconds": N}, {"header": backup_header})
doc("BackupInspection", "kubectl zk backup inspect FILE -o json",
    "A backup file read whole and found intact: its header and the database its files replay to.",
    {"file": S, "header": backup_header, "intact": B,
     "database": obj({"znodes": I, "dataBytes": I, "lastZxid": ZXID, "topLevel": arr(S)})})
doc("Version", "kubectl zk version -o json", "The plugin's version, the git commit it was built from and its platform, and the API server's version when it answered (null with --client or when no server is reachable).",
    {"clientVersion": S, "gitCommit": S, "platform": S, "serverVersion": null(S)})
print(sorted(os.listdir(OUT)))
