using System.Globalization;
using System.Text.Json;
using Kiln.Proofs;

namespace Kiln.Api.Types;

/// <summary>
/// Lotus's default per-task, per-proof resource table (storiface/resources.go, as workers report it
/// in <c>Info</c>), and the worker-side environment overrides <c>&lt;SHORT&gt;_[&lt;SIZE&gt;_]&lt;FIELD&gt;</c>
/// such as <c>PC1_32G_MAX_CONCURRENT=4</c> (Lotus storiface/resources.go
/// <c>ParseResourceEnv</c>, read by worker_local.go <c>LocalWorker.Info</c>).
/// </summary>
public static class ResourceTable
{
    private static readonly Lazy<IReadOnlyDictionary<TaskType, IReadOnlyDictionary<RegisteredSealProof, Resources>>> Table = new(Load);

    /// <summary>Size tags of the override variables, in RegisteredSealProof order (2KiB … 64GiB).</summary>
    private static readonly string[] SizeTags = ["2K", "8M", "512M", "32G", "64G"];

    public static IReadOnlyDictionary<TaskType, IReadOnlyDictionary<RegisteredSealProof, Resources>> Default => Table.Value;

    /// <summary>The default table with every override the environment sets applied.</summary>
    public static IReadOnlyDictionary<TaskType, IReadOnlyDictionary<RegisteredSealProof, Resources>> WithOverrides(Func<string, string?> environment) =>
        WithOverrides(Default, environment);

    /// <summary>
    /// <paramref name="table"/> (the default, or one a worker has adjusted) with every override the environment sets
    /// applied on top: an explicit <c>&lt;SHORT&gt;_[&lt;SIZE&gt;_]&lt;FIELD&gt;</c> variable always has the last word.
    /// </summary>
    public static IReadOnlyDictionary<TaskType, IReadOnlyDictionary<RegisteredSealProof, Resources>> WithOverrides(
        IReadOnlyDictionary<TaskType, IReadOnlyDictionary<RegisteredSealProof, Resources>> table,
        Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(environment);
        var result = new Dictionary<TaskType, IReadOnlyDictionary<RegisteredSealProof, Resources>>();
        foreach (var (task, byProof) in table)
        {
            var row = new Dictionary<RegisteredSealProof, Resources>();
            foreach (var (proof, resources) in byProof)
            {
                row[proof] = Override(resources, TaskTypes.ShortName(task), SizeTag(proof), environment);
            }

            result[task] = row;
        }

        return result;
    }

    /// <summary>Sector-size tag of a seal proof (2K, 8M, 512M, 32G, 64G): the proof id modulo 5 picks the size.</summary>
    public static string SizeTag(RegisteredSealProof proof) => SizeTags[(int)((long)proof % 5)];

    private static Resources Override(Resources r, string shortName, string size, Func<string, string?> env)
    {
        string? Get(string field) => env($"{shortName}_{size}_{field}") ?? env($"{shortName}_{field}");

        return r with
        {
            MinMemory = Parse(Get("MIN_MEMORY"), r.MinMemory, "MIN_MEMORY"),
            MaxMemory = Parse(Get("MAX_MEMORY"), r.MaxMemory, "MAX_MEMORY"),
            GPUUtilization = Get("GPU_UTILIZATION") is { } g ? double.Parse(g, CultureInfo.InvariantCulture) : r.GPUUtilization,
            MaxParallelism = (int)ParseSigned(Get("MAX_PARALLELISM"), r.MaxParallelism, "MAX_PARALLELISM"),
            MaxParallelismGPU = (int)ParseSigned(Get("MAX_PARALLELISM_GPU"), r.MaxParallelismGPU, "MAX_PARALLELISM_GPU"),
            BaseMinMemory = Parse(Get("BASE_MIN_MEMORY"), r.BaseMinMemory, "BASE_MIN_MEMORY"),
            MaxConcurrent = (int)ParseSigned(Get("MAX_CONCURRENT"), r.MaxConcurrent, "MAX_CONCURRENT"),
        };
    }

    private static ulong Parse(string? text, ulong fallback, string field) =>
        text is null ? fallback
        : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
        : throw new FormatException($"resource override {field}='{text}' is not a byte count");

    private static long ParseSigned(string? text, long fallback, string field) =>
        text is null ? fallback
        : long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v
        : throw new FormatException($"resource override {field}='{text}' is not a number");

    private static IReadOnlyDictionary<TaskType, IReadOnlyDictionary<RegisteredSealProof, Resources>> Load()
    {
        using var stream = typeof(ResourceTable).Assembly.GetManifestResourceStream("Kiln.Api.resource-table.json")
            ?? throw new InvalidOperationException("the embedded resource table is missing");
        return JsonSerializer.Deserialize<IReadOnlyDictionary<TaskType, IReadOnlyDictionary<RegisteredSealProof, Resources>>>(stream, ApiJson.Options)
            ?? throw new InvalidOperationException("the embedded resource table is empty");
    }
}
