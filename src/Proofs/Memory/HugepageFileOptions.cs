namespace Kiln.Proofs.Memory;

/// <summary>
/// Where pre-created hugepage memory files live (damocles-worker processor/mod.rs, the PC1
/// processor's <c>hugepage_files_path</c> and <c>hugepage_files_path_pattern</c>): <c>HUGEPAGE_FILES_PATH=/dir</c> means
/// the pattern <c>/dir/numa_$NUMA_NODE_INDEX</c>; <c>HUGEPAGE_FILES_PATH_PATTERN</c> gives the pattern itself and wins
/// when both are set. The number standing at <c>$NUMA_NODE_INDEX</c> is the NUMA node of the files in that directory.
/// </summary>
public sealed class HugepageFileOptions
{
    /// <summary>Directory holding <c>numa_&lt;N&gt;</c> subdirectories.</summary>
    public const string PathVariable = "HUGEPAGE_FILES_PATH";

    /// <summary>Directory pattern with the node placeholder; wins over <see cref="PathVariable"/>.</summary>
    public const string PathPatternVariable = "HUGEPAGE_FILES_PATH_PATTERN";

    /// <summary>The node placeholder of a pattern.</summary>
    public const string NodePlaceholder = "$NUMA_NODE_INDEX";

    /// <summary>Subdirectory name of node N under <see cref="Path"/>: <c>numa_N</c>.</summary>
    public const string NodeDirectoryPrefix = "numa_";

    /// <summary><c>HUGEPAGE_FILES_PATH</c>; null when unset.</summary>
    public string? Path { get; set; }

    /// <summary><c>HUGEPAGE_FILES_PATH_PATTERN</c>; null when unset.</summary>
    public string? PathPattern { get; set; }

    /// <summary>The sysfs root NUMA nodes are read from. Default <see cref="NumaTopology.DefaultSysRoot"/>.</summary>
    public string SysRoot { get; set; } = NumaTopology.DefaultSysRoot;

    /// <summary>Whether hugepage files are configured at all.</summary>
    public bool Enabled => Pattern is not null;

    /// <summary>The directory pattern in force: <see cref="PathPattern"/>, else <c>Path/numa_$NUMA_NODE_INDEX</c>, else null.</summary>
    public string? Pattern =>
        PathPattern is { Length: > 0 } pattern ? pattern
        : Path is { Length: > 0 } path ? System.IO.Path.Combine(path, NodeDirectoryPrefix + NodePlaceholder)
        : null;

    /// <summary>Binds <c>HUGEPAGE_FILES_PATH</c> and <c>HUGEPAGE_FILES_PATH_PATTERN</c>.</summary>
    /// <exception cref="ProofsException">The pattern has no node placeholder.</exception>
    public static HugepageFileOptions FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var options = new HugepageFileOptions
        {
            Path = environment(PathVariable) is { Length: > 0 } path ? path.Trim() : null,
            PathPattern = environment(PathPatternVariable) is { Length: > 0 } pattern ? pattern.Trim() : null,
        };
        options.Validate();
        return options;
    }

    /// <summary>The directory of node <paramref name="node"/>'s files under the pattern in force.</summary>
    public string DirectoryOf(int node) =>
        (Pattern ?? throw new InvalidOperationException($"neither {PathVariable} nor {PathPatternVariable} is set"))
            .Replace(NodePlaceholder, node.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <exception cref="ProofsException">The pattern has no node placeholder or the sysfs root is empty.</exception>
    public void Validate()
    {
        if (PathPattern is { Length: > 0 } pattern && !pattern.Contains(NodePlaceholder, StringComparison.Ordinal))
        {
            throw new ProofsException($"{PathPatternVariable}={pattern} has no {NodePlaceholder} placeholder for the NUMA node");
        }

        if (string.IsNullOrWhiteSpace(SysRoot))
        {
            throw new ProofsException("HugepageFileOptions.SysRoot must be set");
        }
    }
}
