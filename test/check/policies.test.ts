// Each template evaluator against the behaviour docs/reference/builtins.md §4 describes.
import { describe, expect, it } from "vitest";
import { allowedHostPathsV3, hostPathMatches } from "../../src/check/policies/allowed-host-paths-v3.js";
import { allowedSeccompProfilesV3 } from "../../src/check/policies/allowed-seccomp-profiles-v3.js";
import { allowedUsersGroupsV3 } from "../../src/check/policies/allowed-users-groups-v3.js";
import { allowedVolumeTypesV2 } from "../../src/check/policies/allowed-volume-types-v2.js";
import { blockHostNamespaceV2 } from "../../src/check/policies/block-host-namespace-v2.js";
import { containerAllowedCapabilitiesV3 } from "../../src/check/policies/container-allowed-capabilities-v3.js";
import { containerNoPrivilegeEscalationV3 } from "../../src/check/policies/container-no-privilege-escalation-v3.js";
import { containerNoPrivilegeV2 } from "../../src/check/policies/container-no-privilege-v2.js";
import { hostNetworkPortsV3 } from "../../src/check/policies/host-network-ports-v3.js";
import { findEvaluator } from "../../src/check/policies/index.js";
import { WINDOWS, container, pod } from "./helpers.js";

const names = (violations: { container?: string }[]) => violations.map((v) => v.container);

describe("container-no-privilege/v2", () => {
  const privileged = { securityContext: { privileged: true } };
  it.each(["containers", "initContainers", "ephemeralContainers"])("flags a privileged container in %s", (list) => {
    const violations = containerNoPrivilegeV2.evaluate(pod({ [list]: [container("app", privileged)] }), {});
    expect(names(violations)).toEqual(["app"]);
  });
  it("prints the message of the template", () => {
    const [violation] = containerNoPrivilegeV2.evaluate(pod({ containers: [container("app", privileged)] }), {});
    expect(violation?.message).toBe('Privileged container is not allowed: app, securityContext: {"privileged": true}');
  });
  it("passes privileged: false and an absent field, and ignores the pod level", () => {
    const spec = { securityContext: { privileged: true }, containers: [container("a", { securityContext: { privileged: false } }), container("b")] };
    expect(containerNoPrivilegeV2.evaluate(pod(spec), {})).toEqual([]);
  });
  it("skips Windows pods", () => {
    expect(containerNoPrivilegeV2.evaluate(pod({ ...WINDOWS, containers: [container("app", privileged)] }), {})).toEqual([]);
  });
  it("honours excludedContainers (exact name) and excludedImages (exact or trailing *)", () => {
    const spec = {
      containers: [
        container("skipped", privileged),
        { name: "exact", image: "a.io/x:1", ...privileged },
        { name: "prefixed", image: "b.io/team/y:2", ...privileged },
        { name: "kept", image: "b.io/other:1", ...privileged },
      ],
    };
    const violations = containerNoPrivilegeV2.evaluate(pod(spec), {
      excludedContainers: ["skipped"],
      excludedImages: ["a.io/x:1", "b.io/team/*"],
    });
    expect(names(violations)).toEqual(["kept"]);
  });
});

describe("host-network-ports/v3", () => {
  const initiativeValues = { allowHostNetwork: false, minPort: 0, maxPort: 0 };
  it("flags hostNetwork when not allowed, once per reviewed container", () => {
    const violations = hostNetworkPortsV3.evaluate(pod({ hostNetwork: true, containers: [container("a"), container("b")] }), initiativeValues);
    expect(names(violations)).toEqual(["a", "b"]);
    expect(violations[0]?.message).toBe('The specified hostNetwork and hostPort are not allowed, pod: web, container: a. Allowed values: {"allowHostNetwork": false, "maxPort": 0, "minPort": 0}');
  });
  it("allows hostNetwork when allowHostNetwork is true", () => {
    expect(hostNetworkPortsV3.evaluate(pod({ hostNetwork: true, containers: [container("a")] }), { ...initiativeValues, allowHostNetwork: true })).toEqual([]);
  });
  it("does not report hostNetwork when every container is excluded", () => {
    expect(hostNetworkPortsV3.evaluate(pod({ hostNetwork: true, containers: [container("a")] }), { ...initiativeValues, excludedContainers: ["a"] })).toEqual([]);
  });
  it("flags a hostPort above maxPort or below minPort, in any container list", () => {
    const spec = {
      containers: [container("low", { ports: [{ containerPort: 80, hostPort: 79 }] })],
      initContainers: [container("ok", { ports: [{ containerPort: 80, hostPort: 80 }] })],
      ephemeralContainers: [container("high", { ports: [{ containerPort: 80, hostPort: 9001 }] })],
    };
    expect(names(hostNetworkPortsV3.evaluate(pod(spec), { allowHostNetwork: false, minPort: 80, maxPort: 8000 }))).toEqual(["low", "high"]);
  });
  it("accepts an absent or zero hostPort with the initiative's 0-0 range", () => {
    const spec = { containers: [container("a", { ports: [{ containerPort: 80 }, { containerPort: 81, hostPort: 0 }] })] };
    expect(hostNetworkPortsV3.evaluate(pod(spec), initiativeValues)).toEqual([]);
    const bad = { containers: [container("a", { ports: [{ containerPort: 80, hostPort: 8080 }] })] };
    expect(hostNetworkPortsV3.evaluate(pod(bad), initiativeValues)[0]?.code).toBe("host-port");
  });
  it("does not check hostPID or hostIPC, and skips Windows pods", () => {
    expect(hostNetworkPortsV3.evaluate(pod({ hostPID: true, hostIPC: true, containers: [container("a")] }), initiativeValues)).toEqual([]);
    expect(hostNetworkPortsV3.evaluate(pod({ ...WINDOWS, hostNetwork: true, containers: [container("a")] }), initiativeValues)).toEqual([]);
  });
});

describe("block-host-namespace/v2", () => {
  it.each([["hostPID"], ["hostIPC"]])("flags %s once per pod", (field) => {
    const violations = blockHostNamespaceV2.evaluate(pod({ [field]: true, containers: [container("a"), container("b")] }), {});
    expect(violations.map((v) => v.message)).toEqual(["Sharing the host namespace is not allowed: web"]);
  });
  it("reports hostPID and hostIPC together as one message", () => {
    expect(blockHostNamespaceV2.evaluate(pod({ hostPID: true, hostIPC: true, containers: [container("a")] }), {})).toHaveLength(1);
  });
  it("does not check hostNetwork", () => {
    expect(blockHostNamespaceV2.evaluate(pod({ hostNetwork: true, containers: [container("a")] }), {})).toEqual([]);
  });
  it("passes when every container (including init and ephemeral) is image-excluded, but has no name exclusion", () => {
    const spec = { hostPID: true, containers: [container("a")], ephemeralContainers: [container("debug")] };
    expect(blockHostNamespaceV2.evaluate(pod(spec), { excludedImages: ["registry.example/a:1"] })).toHaveLength(1);
    expect(blockHostNamespaceV2.evaluate(pod(spec), { excludedImages: ["registry.example/*"] })).toEqual([]);
    expect(blockHostNamespaceV2.evaluate(pod(spec), { excludedContainers: ["a", "debug"] })).toHaveLength(1);
  });
  it("skips Windows pods", () => {
    expect(blockHostNamespaceV2.evaluate(pod({ ...WINDOWS, hostPID: true, containers: [container("a")] }), {})).toEqual([]);
  });
});

describe("container-allowed-capabilities/v3", () => {
  const adds = (...caps: string[]) => ({ securityContext: { capabilities: { add: caps } } });
  const baselineList = ["CHOWN", "NET_BIND_SERVICE", "NET_RAW"];
  it("flags an added capability outside the list, case-insensitively, in any container list", () => {
    const spec = {
      containers: [container("ok", adds("net_bind_service", "Chown"))],
      initContainers: [container("init", adds("SYS_ADMIN"))],
      ephemeralContainers: [container("debug", adds("SYS_PTRACE"))],
    };
    const violations = containerAllowedCapabilitiesV3.evaluate(pod(spec), { allowedCapabilities: baselineList, requiredDropCapabilities: [] });
    expect(names(violations)).toEqual(["init", "debug"]);
    expect(violations[0]?.message).toBe('container init has a disallowed capability. Allowed capabilities are ["CHOWN", "NET_BIND_SERVICE", "NET_RAW"]');
  });
  it("allows anything with *", () => {
    expect(containerAllowedCapabilitiesV3.evaluate(pod({ containers: [container("a", adds("SYS_ADMIN"))] }), { allowedCapabilities: ["*"] })).toEqual([]);
  });
  it("passes a container that adds nothing, even with an empty allowed list", () => {
    expect(containerAllowedCapabilitiesV3.evaluate(pod({ containers: [container("a")] }), { allowedCapabilities: [] })).toEqual([]);
  });
  it("requires the required drops unless ALL is dropped", () => {
    const parameters = { allowedCapabilities: [], requiredDropCapabilities: ["NET_RAW", "KILL"] };
    const drops = (...caps: string[]) => ({ securityContext: { capabilities: { drop: caps } } });
    const spec = { containers: [container("partial", drops("net_raw")), container("all", drops("all")), container("both", drops("KILL", "NET_RAW"))] };
    const violations = containerAllowedCapabilitiesV3.evaluate(pod(spec), parameters);
    expect(names(violations)).toEqual(["partial"]);
    expect(violations[0]?.message).toBe('container partial is not dropping all required capabilities. Container must drop all of ["NET_RAW", "KILL"] or "ALL"');
  });
  it("skips Windows pods and excluded containers", () => {
    const parameters = { allowedCapabilities: [], excludedContainers: ["a"] };
    expect(containerAllowedCapabilitiesV3.evaluate(pod({ ...WINDOWS, containers: [container("b", adds("X"))] }), parameters)).toEqual([]);
    expect(containerAllowedCapabilitiesV3.evaluate(pod({ containers: [container("a", adds("X"))] }), parameters)).toEqual([]);
  });
});

describe("allowed-host-paths/v3", () => {
  const mount = (volume: string, readOnly?: boolean) => ({ volumeMounts: [{ name: volume, mountPath: "/m", ...(readOnly === undefined ? {} : { readOnly }) }] });
  const hostVolume = (name: string, path: string) => ({ name, hostPath: { path } });
  it("flags a mounted hostPath volume when no path is allowed (the initiative default)", () => {
    const spec = { containers: [container("a", mount("h"))], volumes: [hostVolume("h", "/var/run")] };
    const violations = allowedHostPathsV3.evaluate(pod(spec), { allowedHostPaths: [] });
    expect(violations.map((v) => v.message)).toEqual(["HostPath volume h is not allowed, pod: web. Allowed path: []"]);
  });
  it("ignores hostPath volumes declared but not mounted", () => {
    expect(allowedHostPathsV3.evaluate(pod({ containers: [container("a")], volumes: [hostVolume("h", "/")] }), { allowedHostPaths: [] })).toEqual([]);
  });
  it("counts init containers but not ephemeral containers", () => {
    const volumes = [hostVolume("h", "/tmp")];
    expect(allowedHostPathsV3.evaluate(pod({ containers: [container("a")], initContainers: [container("i", mount("h"))], volumes }), { allowedHostPaths: [] })).toHaveLength(1);
    expect(allowedHostPathsV3.evaluate(pod({ containers: [container("a")], ephemeralContainers: [container("e", mount("h"))], volumes }), { allowedHostPaths: [] })).toEqual([]);
  });
  it("matches path prefixes segment by segment", () => {
    expect(hostPathMatches("/foo", "/foo")).toBe(true);
    expect(hostPathMatches("/foo", "/foo/")).toBe(true);
    expect(hostPathMatches("/foo", "/foo/bar")).toBe(true);
    expect(hostPathMatches("/foo", "/fool")).toBe(false);
    expect(hostPathMatches("/", "/anything/at/all")).toBe(true);
    expect(hostPathMatches("/foo/bar", "/foo")).toBe(false);
  });
  it("requires readOnly mounts under a readOnly prefix", () => {
    const parameters = {
      allowedHostPaths: [
        { pathPrefix: "/etc", readOnly: true },
        { pathPrefix: "/data", readOnly: false },
      ],
    };
    const volumes = [hostVolume("etc", "/etc/ssl"), hostVolume("data", "/data/x")];
    const spec = {
      containers: [
        container("rw", {
          volumeMounts: [
            { name: "etc", mountPath: "/e" },
            { name: "data", mountPath: "/d" },
          ],
        }),
        container("ro", mount("etc", true)),
      ],
      volumes,
    };
    const violations = allowedHostPathsV3.evaluate(pod(spec), parameters);
    expect(violations.map((v) => [v.code, v.volume, v.container])).toEqual([["host-path-read-only", "etc", "rw"]]);
  });
  it("drops name- and image-excluded containers from both checks, and skips Windows pods", () => {
    const spec = { containers: [container("skip", mount("h"))], volumes: [hostVolume("h", "/tmp")] };
    expect(allowedHostPathsV3.evaluate(pod(spec), { allowedHostPaths: [], excludedContainers: ["skip"] })).toEqual([]);
    expect(allowedHostPathsV3.evaluate(pod(spec), { allowedHostPaths: [], excludedImages: ["registry.example/*"] })).toEqual([]);
    expect(allowedHostPathsV3.evaluate(pod({ ...WINDOWS, ...spec }), { allowedHostPaths: [] })).toEqual([]);
  });
  it("is what definition 6.3.0 (template v4) is evaluated with, flagged as an approximation", () => {
    const lookup = findEvaluator("allowed-host-paths/v4");
    expect(lookup?.evaluator).toBe(allowedHostPathsV3);
    expect(lookup?.approximation).toBe("evaluated with allowed-host-paths v3; the template v4 behind definition 6.3.0 is not published");
    expect(findEvaluator("host-network-ports/v4")).toBeUndefined();
  });
});

describe("allowed-volume-types/v2", () => {
  const restrictedTypes = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];
  const mount = (volume: string) => ({ volumeMounts: [{ name: volume, mountPath: "/m" }] });
  it("flags a mounted volume of a type outside the list, with the template message", () => {
    const spec = { containers: [container("a", mount("h"))], volumes: [{ name: "h", hostPath: { path: "/" } }] };
    const violations = allowedVolumeTypesV2.evaluate(pod(spec), { volumes: restrictedTypes });
    expect(violations.map((v) => v.message)).toEqual([
      'The volume type hostPath is not allowed, pod: web. Allowed volume types: ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]',
    ]);
  });
  it("ignores unmounted volumes and counts ephemeral containers' mounts", () => {
    const volumes = [{ name: "n", nfs: { server: "s", path: "/" } }];
    expect(allowedVolumeTypesV2.evaluate(pod({ containers: [container("a")], volumes }), { volumes: restrictedTypes })).toEqual([]);
    expect(allowedVolumeTypesV2.evaluate(pod({ containers: [container("a")], ephemeralContainers: [container("e", mount("n"))], volumes }), { volumes: restrictedTypes })).toHaveLength(1);
  });
  it("has no Windows skip and no name exclusion, but honours excludedImages and *", () => {
    const spec = { containers: [container("a", mount("h"))], volumes: [{ name: "h", hostPath: { path: "/" } }] };
    expect(allowedVolumeTypesV2.evaluate(pod({ ...WINDOWS, ...spec }), { volumes: ["emptyDir"] })).toHaveLength(1);
    expect(allowedVolumeTypesV2.evaluate(pod(spec), { volumes: ["emptyDir"], excludedContainers: ["a"] })).toHaveLength(1);
    expect(allowedVolumeTypesV2.evaluate(pod(spec), { volumes: ["emptyDir"], excludedImages: ["registry.example/a:1"] })).toEqual([]);
    expect(allowedVolumeTypesV2.evaluate(pod(spec), { volumes: ["*"] })).toEqual([]);
  });
  it("matches the type case-sensitively", () => {
    const spec = { containers: [container("a", mount("c"))], volumes: [{ name: "c", configMap: { name: "x" } }] };
    expect(allowedVolumeTypesV2.evaluate(pod(spec), { volumes: ["ConfigMap"] })).toHaveLength(1);
    expect(allowedVolumeTypesV2.evaluate(pod(spec), { volumes: ["configMap"] })).toEqual([]);
  });
});

describe("container-no-privilege-escalation/v3", () => {
  const sc = (securityContext: Record<string, unknown>) => ({ securityContext });
  it.each([
    ["allowPrivilegeEscalation: true", {}, sc({ allowPrivilegeEscalation: true }), 1],
    ["container runAsUser non-zero without explicit false", {}, sc({ runAsUser: 1000 }), 1],
    ["pod runAsUser non-zero without explicit false", { securityContext: { runAsUser: 200 } }, {}, 1],
    ["container runAsUser 0 overrides the pod's 200", { securityContext: { runAsUser: 200 } }, sc({ runAsUser: 0 }), 0],
    ["runAsUser non-zero with allowPrivilegeEscalation: false", {}, sc({ runAsUser: 1000, allowPrivilegeEscalation: false }), 0],
    ["nothing set", {}, {}, 0],
  ])("%s", (_, podLevel, containerLevel, count) => {
    const violations = containerNoPrivilegeEscalationV3.evaluate(pod({ ...podLevel, containers: [container("a", containerLevel)] }), {});
    expect(violations).toHaveLength(count);
    if (count) expect(violations[0]?.message).toBe("Privilege escalation container is not allowed: a");
  });
  it("checks init and ephemeral containers, skips Windows pods and excluded containers", () => {
    const bad = sc({ allowPrivilegeEscalation: true });
    const spec = { containers: [container("a")], initContainers: [container("i", bad)], ephemeralContainers: [container("e", bad)] };
    expect(names(containerNoPrivilegeEscalationV3.evaluate(pod(spec), {}))).toEqual(["i", "e"]);
    expect(containerNoPrivilegeEscalationV3.evaluate(pod({ ...WINDOWS, ...spec }), {})).toEqual([]);
    expect(containerNoPrivilegeEscalationV3.evaluate(pod(spec), { excludedContainers: ["i"], excludedImages: ["registry.example/e:1"] })).toEqual([]);
  });
});

describe("allowed-users-groups/v3", () => {
  const range = (min: number, max: number) => ({ ranges: [{ min, max }] });
  const restricted = {
    runAsUser: { rule: "MustRunAsNonRoot", ranges: [] },
    runAsGroup: { rule: "MustRunAs", ...range(1, 65535) },
    supplementalGroups: { rule: "MustRunAs", ...range(1, 65535) },
    fsGroup: { rule: "MustRunAs", ...range(1, 65535) },
  };
  const groupsOk = { runAsGroup: 1000, supplementalGroups: [1000], fsGroup: 1000 };
  const codes = (spec: Record<string, unknown>, parameters: Record<string, unknown> = restricted) => allowedUsersGroupsV3.evaluate(pod(spec), parameters).map((v) => v.code);

  it("MustRunAsNonRoot: runAsNonRoot true or a non-zero runAsUser is enough", () => {
    expect(codes({ securityContext: { ...groupsOk, runAsNonRoot: true }, containers: [container("a")] })).toEqual([]);
    expect(codes({ securityContext: { ...groupsOk, runAsUser: 1000 }, containers: [container("a")] })).toEqual([]);
  });
  it("MustRunAsNonRoot: runAsUser 0 or no runAsNonRoot is a violation, container values override the pod's", () => {
    expect(codes({ securityContext: { ...groupsOk, runAsUser: 0 }, containers: [container("a")] })).toEqual(["run-as-root"]);
    expect(codes({ securityContext: groupsOk, containers: [container("a")] })).toEqual(["run-as-non-root-missing"]);
    expect(codes({ securityContext: { ...groupsOk, runAsNonRoot: true }, containers: [container("a", { securityContext: { runAsNonRoot: false } })] })).toEqual(["run-as-non-root-missing"]);
    expect(codes({ securityContext: { ...groupsOk, runAsNonRoot: false }, containers: [container("a", { securityContext: { runAsNonRoot: true } })] })).toEqual([]);
    const [message] = allowedUsersGroupsV3.evaluate(pod({ securityContext: groupsOk, containers: [container("a")] }), restricted).map((v) => v.message);
    expect(message).toBe("Container a is attempting to run without a required securityContext/runAsNonRoot or securityContext/runAsUser != 0");
  });
  it("MustRunAs groups: absent or out of range is a violation, an empty supplementalGroups list passes", () => {
    const base = { runAsNonRoot: true };
    expect(codes({ securityContext: base, containers: [container("a")] })).toEqual(["runAsGroup-missing", "supplementalGroups-missing", "fsGroup-missing"]);
    expect(codes({ securityContext: { ...base, runAsGroup: 0, supplementalGroups: [], fsGroup: 70000 }, containers: [container("a")] })).toEqual(["runAsGroup-range", "fsGroup-range"]);
    expect(codes({ securityContext: { ...base, ...groupsOk, supplementalGroups: [5, 0] }, containers: [container("a")] })).toEqual(["supplementalGroups-range"]);
  });
  it("prints the template messages for groups", () => {
    const messages = allowedUsersGroupsV3
      .evaluate(pod({ securityContext: { runAsNonRoot: true, runAsGroup: 0, supplementalGroups: [0] }, containers: [container("a")] }), restricted)
      .map((v) => v.message);
    expect(messages).toEqual([
      'Container a is attempting to run as disallowed group 0. Allowed runAsGroup: {"ranges": [{"max": 65535, "min": 1}], "rule": "MustRunAs"}',
      'Container a is attempting to run with disallowed supplementalGroups [0]. Allowed supplementalGroups: {"ranges": [{"max": 65535, "min": 1}], "rule": "MustRunAs"}',
      'Container a is attempting to run without a required securityContext/fsGroup. Allowed fsGroup: {"ranges": [{"max": 65535, "min": 1}], "rule": "MustRunAs"}',
    ]);
  });
  it("MustRunAs runAsUser with ranges, max -1 meaning no upper bound", () => {
    const parameters = { runAsUser: { rule: "MustRunAs", ranges: [{ min: 100, max: -1 }] } };
    expect(codes({ containers: [container("a", { securityContext: { runAsUser: 100000 } })] }, parameters)).toEqual([]);
    expect(codes({ containers: [container("a", { securityContext: { runAsUser: 50 } })] }, parameters)).toEqual(["runAsUser-range"]);
    expect(codes({ containers: [container("a")] }, parameters)).toEqual(["runAsUser-missing"]);
  });
  it("MayRunAs checks only present values; RunAsAny checks nothing", () => {
    const parameters = { runAsUser: { rule: "RunAsAny" }, fsGroup: { rule: "MayRunAs", ...range(1, 10) } };
    expect(codes({ containers: [container("a")] }, parameters)).toEqual([]);
    expect(codes({ securityContext: { fsGroup: 11, runAsUser: 0 }, containers: [container("a")] }, parameters)).toEqual(["fsGroup-range"]);
  });
  it("checks init and ephemeral containers, skips Windows pods and excluded containers", () => {
    const spec = { securityContext: groupsOk, containers: [container("a", { securityContext: { runAsUser: 5 } })], initContainers: [container("i")], ephemeralContainers: [container("e")] };
    expect(names(allowedUsersGroupsV3.evaluate(pod(spec), restricted))).toEqual(["i", "e"]);
    expect(allowedUsersGroupsV3.evaluate(pod({ ...WINDOWS, ...spec }), restricted)).toEqual([]);
    expect(allowedUsersGroupsV3.evaluate(pod(spec), { ...restricted, excludedContainers: ["i"], excludedImages: ["registry.example/e*"] })).toEqual([]);
  });
});

describe("allowed-seccomp-profiles/v3", () => {
  const restricted = { allowedProfiles: ["runtime/default", "docker/default"] };
  const profile = (type: string, localhostProfile?: string) => ({ seccompProfile: { type, ...(localhostProfile ? { localhostProfile } : {}) } });
  const evaluate = (spec: Record<string, unknown>, annotations: Record<string, string> = {}, parameters: Record<string, unknown> = restricted) =>
    allowedSeccompProfilesV3.evaluate(pod(spec, { annotations }), parameters);

  it("accepts RuntimeDefault at pod or container level and the runtime/default annotations", () => {
    expect(evaluate({ securityContext: profile("RuntimeDefault"), containers: [container("a")] })).toEqual([]);
    expect(evaluate({ containers: [container("a", { securityContext: profile("RuntimeDefault") })] })).toEqual([]);
    expect(evaluate({ containers: [container("a")] }, { "seccomp.security.alpha.kubernetes.io/pod": "docker/default" })).toEqual([]);
  });
  it("flags a missing profile as 'not configured'", () => {
    expect(evaluate({ containers: [container("a")] }).map((v) => v.message)).toEqual([
      'Seccomp profile \'not configured\' is not allowed for container \'a\'. Found at: no explicit profile found. Allowed profiles: {"RuntimeDefault", "docker/default", "runtime/default"}',
    ]);
  });
  it("resolves container securityContext, then pod securityContext, then container annotation, then pod annotation", () => {
    const annotations = { "container.seccomp.security.alpha.kubernetes.io/a": "runtime/default", "seccomp.security.alpha.kubernetes.io/pod": "unconfined" };
    expect(evaluate({ containers: [container("a"), container("b")] }, annotations).map((v) => v.container)).toEqual(["b"]);
    expect(evaluate({ securityContext: profile("Unconfined"), containers: [container("a")] }, annotations)).toHaveLength(1);
    expect(evaluate({ securityContext: profile("Unconfined"), containers: [container("a", { securityContext: profile("RuntimeDefault") })] })).toEqual([]);
  });
  it("allows Localhost only for listed files or localhost/*", () => {
    const spec = { securityContext: profile("Localhost", "profiles/a.json"), containers: [container("a")] };
    expect(evaluate(spec)).toHaveLength(1);
    expect(evaluate(spec, {}, { allowedProfiles: ["localhost/profiles/a.json"] })).toEqual([]);
    expect(evaluate(spec, {}, { allowedProfiles: ["localhost/profiles/b.json"] })).toHaveLength(1);
    expect(evaluate(spec, {}, { allowedProfiles: ["localhost/*"] })).toEqual([]);
    expect(evaluate({ containers: [container("a")] }, { "seccomp.security.alpha.kubernetes.io/pod": "localhost/x.json" }, { allowedProfiles: ["localhost/*"] })).toEqual([]);
  });
  it("checks nothing with *, checks init and ephemeral containers, skips Windows pods and excluded containers", () => {
    const spec = { securityContext: profile("Unconfined"), containers: [container("a")], initContainers: [container("i")], ephemeralContainers: [container("e")] };
    expect(evaluate(spec, {}, { allowedProfiles: ["*"] })).toEqual([]);
    expect(names(evaluate(spec))).toEqual(["a", "i", "e"]);
    expect(evaluate({ ...WINDOWS, ...spec })).toEqual([]);
    expect(names(evaluate(spec, {}, { ...restricted, excludedContainers: ["a"], excludedImages: ["registry.example/i:1"] }))).toEqual(["e"]);
  });
});
