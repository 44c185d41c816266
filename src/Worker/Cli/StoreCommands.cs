using System.CommandLine;
using Kiln.Proofs;
using Kiln.Proofs.Memory;

namespace Kiln.Worker.Cli;

/// <summary>
/// <c>kiln-worker store</c>: local memory set-up, as damocles-worker's <c>store</c> tools. <c>hugepage-file-init</c>
/// creates the NUMA hugepage memory files PC1 layers and the label pool are taken from (damocles-worker
/// store.rs <c>HugepageFileInit</c>).
/// </summary>
public static class StoreCommands
{
    public static Command Build()
    {
        var store = new Command("store", "Set up local memory for sealing");
        store.Subcommands.Add(HugepageFileInit());
        return store;
    }

    private static Command HugepageFileInit()
    {
        var node = new Option<int>("--node", "-n") { Description = "NUMA node the files' pages come from", Required = true };
        var num = new Option<int>("--num", "-c") { Description = "number of hugepage memory files to create", Required = true };
        var size = new Option<string>("--size", "-s") { Description = "size of each file (e.g. 2KiB, 512MiB, 32GiB)", Required = true };
        var path = new Option<string?>("--path")
        {
            Description = "directory for the files, created as <path>/numa_<node>/ (the HUGEPAGE_FILES_PATH a worker is given); ignored with --path_pattern",
        };
        var pattern = new Option<string?>("--path_pattern", "--path-pattern")
        {
            Description = "directory pattern with $NUMA_NODE_INDEX standing for the node (the HUGEPAGE_FILES_PATH_PATTERN a worker is given); wins over --path",
        };
        var cmd = new Command("hugepage-file-init", "Create NUMA-local hugepage memory files for PC1 (mount hugetlbfs first)")
        {
            node, num, size, path, pattern,
        };
        cmd.SetAction(parse =>
        {
            var options = new HugepageFileOptions { Path = parse.GetValue(path), PathPattern = parse.GetValue(pattern) };
            var files = Init(options, parse.GetValue(node), parse.GetValue(num), SectorSizes.Parse(parse.GetValue(size)!), NumaTopology.Read(), Console.Error);
            foreach (var file in files)
            {
                Console.WriteLine(file);
            }

            return 0;
        });
        return cmd;
    }

    /// <summary>
    /// Binds the thread to <paramref name="node"/> (so the pages come from it), then creates the files in the node's
    /// directory. A node the machine does not list gets a warning on <paramref name="warnings"/> and unbound files.
    /// </summary>
    /// <exception cref="ArgumentException">Neither a path nor a pattern, a bad pattern, or a count or node below 0/1.</exception>
    public static IReadOnlyList<string> Init(HugepageFileOptions options, int node, int count, ulong size, NumaTopology topology, TextWriter warnings)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(warnings);
        if (!options.Enabled)
        {
            throw new ArgumentException("give --path or --path_pattern");
        }

        if (node < 0 || count < 1 || size == 0)
        {
            throw new ArgumentException("--node must be 0 or more, --num and --size positive");
        }

        try
        {
            options.Validate();
        }
        catch (ProofsException e)
        {
            throw new ArgumentException(e.Message.Replace(HugepageFileOptions.PathPatternVariable + "=", "--path_pattern ", StringComparison.Ordinal), e);
        }

        if (!topology.BindCurrentThread(node))
        {
            warnings.WriteLine($"WARNING: NUMA node {node} is not known here (or binding failed); the files' pages come from wherever the kernel places them");
        }

        return HugepageFiles.CreateFiles(options.DirectoryOf(node), count, size);
    }
}
