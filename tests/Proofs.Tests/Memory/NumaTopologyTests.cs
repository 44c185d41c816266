using Kiln.Proofs.Memory;

namespace Kiln.Proofs.Tests.Memory;

/// <summary>NUMA nodes read from made-up <c>/sys</c> trees.</summary>
public sealed class NumaTopologyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-numa-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A fake sysfs root with one <c>nodeN/cpulist</c> per entry.</summary>
    internal static string FakeSys(string root, params string[] cpulists)
    {
        for (var node = 0; node < cpulists.Length; node++)
        {
            var dir = Path.Combine(root, "devices", "system", "node", "node" + node);
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "cpulist"), cpulists[node] + "\n");
        }

        // Entries that are not nodes are ignored.
        Directory.CreateDirectory(Path.Combine(root, "devices", "system", "node", "power"));
        File.WriteAllText(Path.Combine(root, "devices", "system", "node", "online"), "0\n");
        return root;
    }

    [Fact]
    public void One_node_holds_every_cpu()
    {
        var topology = NumaTopology.Read(FakeSys(_dir, "0-3"));
        Assert.Equal([0], topology.Nodes.Keys);
        Assert.Equal(0, topology.NodeOfCpu(3));
        Assert.Null(topology.NodeOfCpu(4));
    }

    [Fact]
    public void Two_nodes_split_the_cpus()
    {
        var topology = NumaTopology.Read(FakeSys(_dir, "0-1,4", "2-3,5-6"));
        Assert.Equal([0, 1], topology.Nodes.Keys);
        Assert.Equal([0, 1, 4], topology.Nodes[0]);
        Assert.Equal(1, topology.NodeOfCpu(2));
        Assert.Equal(0, topology.NodeOfCpu(4));
        Assert.Equal(1, topology.NodeOfCpu(6));
    }

    [Fact]
    public void A_machine_without_node_directories_has_no_known_nodes()
    {
        var topology = NumaTopology.Read(Path.Combine(_dir, "missing"));
        Assert.Empty(topology.Nodes);
        Assert.Null(topology.NodeOfCpu(0));
        Assert.False(topology.BindCurrentThread(0));
    }

    [Theory]
    [InlineData("0", new[] { 0 })]
    [InlineData("0-3,8-9", new[] { 0, 1, 2, 3, 8, 9 })]
    [InlineData(" 1,3 \n", new[] { 1, 3 })]
    [InlineData("", new int[0])]
    public void Cpu_lists_parse_like_the_kernel_writes_them(string text, int[] cpus)
    {
        Assert.Equal(cpus, NumaTopology.ParseCpuList(text));
    }

    [Theory]
    [InlineData("a-b")]
    [InlineData("3-1")]
    [InlineData("1-")]
    public void Bad_cpu_lists_are_refused(string text)
    {
        Assert.Throws<FormatException>(() => NumaTopology.ParseCpuList(text));
    }

    [Fact]
    public void The_real_machine_knows_the_cpu_of_this_thread()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var cpu = NumaTopology.CurrentCpu();
        Assert.NotNull(cpu);
        var topology = NumaTopology.Read();
        if (topology.Nodes.Count > 0)
        {
            Assert.NotNull(topology.NodeOfCpu(cpu.Value));
        }
    }
}
