using Kiln.Worker.Rpc;
using Kiln.Worker.Run;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Worker.Tests;

/// <summary>
/// Info's memory and GPU figures from fixture /proc and /sys trees, as Lotus storage/sealer/worker_local.go memInfo
/// (cgroups_linux.go cgroupV1Mem / cgroupV2Mem) and ffi.GetGPUDevices report them.
/// </summary>
public sealed class HostResourcesTests : IDisposable
{
    private const ulong GiB = 1UL << 30;
    private readonly string _root = Directory.CreateTempSubdirectory("kiln-host-").FullName;

    public HostResourcesTests()
    {
        // 16 GiB host with 6 GiB available, 8 GiB swap with 5 GiB free.
        Write("proc/meminfo", "MemTotal:       16777216 kB\nMemFree:         1048576 kB\nMemAvailable:    6291456 kB\nSwapTotal:       8388608 kB\nSwapFree:        5242880 kB\n");
    }

    private HostPaths Host => new(Path.Combine(_root, "proc"), Path.Combine(_root, "sys"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private void CgroupV2(string group, string memoryMax, ulong current, ulong file, string swapMax, ulong swapCurrent)
    {
        var dir = "sys/fs/cgroup" + group;
        Write(dir + "/cgroup.controllers", "cpuset cpu io memory pids\n");
        Write(dir + "/memory.max", memoryMax + "\n");
        Write(dir + "/memory.current", current + "\n");
        Write(dir + "/memory.stat", $"anon 123\nfile {file}\nkernel 4096\n");
        Write(dir + "/memory.swap.max", swapMax + "\n");
        Write(dir + "/memory.swap.current", swapCurrent + "\n");
    }

    private void MountV2(string group)
    {
        Write("proc/self/cgroup", "0::" + group + "\n");
        Write("proc/self/mountinfo", "24 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n");
    }

    [Fact]
    public void Without_cgroup_limits_the_host_figures_are_reported()
    {
        var mem = MemInfo.ForWorker(Host, noSwap: false);
        Assert.Equal(new MemInfo(16 * GiB, 10 * GiB, 8 * GiB, 3 * GiB), mem);
        Assert.Equal(new MemInfo(16 * GiB, 10 * GiB, 0, 0), MemInfo.ForWorker(Host, noSwap: true));
    }

    [Fact]
    public void Cgroup_v2_smallest_limit_on_the_path_wins_with_that_groups_use()
    {
        MountV2("/system.slice/kiln.service");
        // The service's own limit (4 GiB) is above its slice's (3 GiB): the slice's limit and use count. Swap: only the
        // service limits it. The root cgroup is never read (Lotus stops below "/").
        CgroupV2("/system.slice/kiln.service", (4 * GiB).ToString(), 2 * GiB, GiB / 2, (2 * GiB).ToString(), 4096);
        CgroupV2("/system.slice", (3 * GiB).ToString(), (5 * GiB / 2), GiB, "max", 8192);
        CgroupV2("", "1024", 1, 0, "1024", 0);

        var mem = MemInfo.ForWorker(Host, noSwap: false);
        Assert.Equal(3 * GiB, mem.Physical);
        Assert.Equal((5 * GiB / 2) - GiB, mem.Used);
        Assert.Equal(2 * GiB, mem.Swap);
        Assert.Equal(4096UL, mem.SwapUsed);
        Assert.Equal(new MemInfo(3 * GiB, (5 * GiB / 2) - GiB, 0, 0), MemInfo.ForWorker(Host, noSwap: true));
    }

    [Fact]
    public void Cgroup_v2_limits_above_the_host_or_max_change_nothing()
    {
        MountV2("/user.slice");
        CgroupV2("/user.slice", (64 * GiB).ToString(), GiB, 0, "max", 0);
        Assert.Equal(new MemInfo(16 * GiB, 10 * GiB, 8 * GiB, 3 * GiB), MemInfo.ForWorker(Host, noSwap: false));
        Assert.Equal(new CgroupMemory(64 * GiB, GiB, ulong.MaxValue, 0), CgroupMemory.ReadV2(Host));
    }

    [Fact]
    public void Cgroup_v2_without_a_controllers_file_is_ignored_as_lotus_ignores_the_error()
    {
        MountV2("/gone");
        Write("sys/fs/cgroup/gone/memory.max", "1073741824\n");
        Assert.Null(CgroupMemory.ReadV2(Host));
        Assert.Equal(16 * GiB, MemInfo.ForWorker(Host, noSwap: false).Physical);
    }

    [Theory]
    [InlineData("/", "sys/fs/cgroup/memory/docker/abc")]
    [InlineData("/docker/abc", "sys/fs/cgroup/memory")]
    public void Cgroup_v1_memory_limit_and_use_without_file_cache(string mountRoot, string dir)
    {
        Write("proc/self/cgroup", "12:memory:/docker/abc\n11:cpu,cpuacct:/docker/abc\n0::/\n");
        Write("proc/self/mountinfo", $"24 1 8:1 / / rw - ext4 /dev/sda1 rw\n40 30 0:35 {mountRoot} /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:20 - cgroup cgroup rw,memory\n");
        Write(dir + "/memory.limit_in_bytes", (8 * GiB) + "\n");
        Write(dir + "/memory.usage_in_bytes", (3 * GiB) + "\n");
        Write(dir + "/memory.stat", $"cache 5\nrss 6\ninactive_file {GiB / 2}\nactive_file {GiB / 4}\ntotal_inactive_file 1\n");
        Write(dir + "/memory.memsw.limit_in_bytes", (6 * GiB) + "\n");
        Write(dir + "/memory.memsw.usage_in_bytes", (3 * GiB) + "\n");

        Assert.Equal(new CgroupMemory(8 * GiB, (3 * GiB) - (GiB / 2) - (GiB / 4), 6 * GiB, 3 * GiB), CgroupMemory.ReadV1(Host, pid: 4242));
        var mem = MemInfo.ForWorker(Host, noSwap: false);
        Assert.Equal(new MemInfo(8 * GiB, (3 * GiB) - (3 * GiB / 4), 6 * GiB, 3 * GiB), mem);
    }

    [Fact]
    public void Cgroup_v1_no_limit_is_above_the_host_and_changes_nothing()
    {
        Write("proc/self/cgroup", "4:memory:/\n");
        Write("proc/self/mountinfo", "40 30 0:35 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
        Write("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
        Write("sys/fs/cgroup/memory/memory.usage_in_bytes", "123\n");
        Assert.Equal(9223372036854771712UL, CgroupMemory.ReadV1(Host, pid: 1)!.Value.MemoryMax);
        Assert.Equal(new MemInfo(16 * GiB, 10 * GiB, 8 * GiB, 3 * GiB), MemInfo.ForWorker(Host, noSwap: false));
    }

    [Fact]
    public void Gpus_come_from_the_nvidia_driver_in_bus_order_else_nvidia_smi_else_none()
    {
        Assert.Empty(GpuDevices.Detect(Host, () => null));
        const string smi = "GPU 0: NVIDIA GeForce RTX 3090 (UUID: GPU-0b0c7d84-1e0f-6e4c-3f3a-4f3d2f5e6a7b)\nGPU 1: NVIDIA A100-SXM4-40GB (UUID: GPU-1b2c)\n";
        Assert.Equal(["NVIDIA GeForce RTX 3090", "NVIDIA A100-SXM4-40GB"], GpuDevices.Detect(Host, () => smi));

        Write("proc/driver/nvidia/gpus/0000:81:00.0/information", "Model: \t\t NVIDIA RTX A6000\nIRQ:   \t\t 130\nGPU UUID: \t GPU-aaaa\nBus Location: \t 0000:81:00.0\n");
        Write("proc/driver/nvidia/gpus/0000:01:00.0/information", "Model: \t\t NVIDIA GeForce RTX 4090\nIRQ:   \t\t 128\nBus Location: \t 0000:01:00.0\n");
        Assert.Equal(["NVIDIA GeForce RTX 4090", "NVIDIA RTX A6000"], GpuDevices.Detect(Host, () => throw new Xunit.Sdk.XunitException("nvidia-smi must not run when the driver lists the GPUs")));
    }

    [Fact]
    public async Task Info_reports_cgroup_memory_gpus_and_no_swap()
    {
        MountV2("/kiln");
        CgroupV2("/kiln", (4 * GiB).ToString(), 2 * GiB, GiB, (GiB).ToString(), 1024);
        Write("proc/driver/nvidia/gpus/0000:01:00.0/information", "Model: \t\t NVIDIA GeForce RTX 3080\n");
        var options = new WorkerOptions { RepoPath = _root, Name = "w", HostPaths = Host, NoSwap = true };
        await using var api = new WorkerApi(options, null!, null!, null!, _ => null, NullLogger.Instance);
        var info = await api.InfoAsync(CancellationToken.None);
        Assert.Equal("w", info.Hostname);
        Assert.Equal(4 * GiB, info.Resources.MemPhysical);
        Assert.Equal(GiB, info.Resources.MemUsed);
        Assert.Equal(0UL, info.Resources.MemSwap);
        Assert.Equal(0UL, info.Resources.MemSwapUsed);
        Assert.Equal(["NVIDIA GeForce RTX 3080"], info.Resources.GPUs);

        options.NoSwap = false;
        await using var withSwap = new WorkerApi(options, null!, null!, null!, _ => null, NullLogger.Instance);
        var swap = (await withSwap.InfoAsync(CancellationToken.None)).Resources;
        Assert.Equal((GiB, 1024UL), (swap.MemSwap, swap.MemSwapUsed));
    }

    [Fact]
    public async Task After_shutdown_the_session_is_nil_and_before_it_the_process_session()
    {
        var options = new WorkerOptions { RepoPath = _root, HostPaths = Host };
        await using var api = new WorkerApi(options, null!, null!, null!, _ => null, NullLogger.Instance);
        var fired = 0;
        api.ShutdownRequested += () => fired++;
        Assert.Equal(api.ProcessSession, await api.SessionAsync(CancellationToken.None));
        await api.ShutdownAsync(CancellationToken.None);
        await api.ShutdownAsync(CancellationToken.None);
        Assert.Equal(Guid.Empty, await api.SessionAsync(CancellationToken.None));
        Assert.Equal(1, fired);
        Assert.NotEqual(Guid.Empty, api.ProcessSession);
    }
}
