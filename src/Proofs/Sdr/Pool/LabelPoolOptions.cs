using System.Globalization;

namespace Kiln.Proofs.Sdr.Pool;

/// <summary>
/// The PC1 label pool ("mpool"): whether PC1 layers come from one shared pool of fixed blocks,
/// how big the pool and its blocks are, and how many PC1 jobs share it. Bound from the variables of the mpool
/// fork (<c>FIL_PROOFS_USE_MPOOL</c>, <c>FIL_PROOFS_P1_TASKS</c>, <c>FIL_PROOFS_P1_BLOCK</c>) and <c>MEM_POOL_SIZE</c>;
/// the sector size is only known later, so the full check is <see cref="Layout"/>.
/// </summary>
public sealed class LabelPoolOptions
{
    /// <summary>Pool size in bytes, or with a unit (<c>608GiB</c>, <c>512MiB</c>, <c>64KiB</c>) as Lotus sizes are written.</summary>
    public const string PoolSizeVariable = "MEM_POOL_SIZE";

    /// <summary>Block size in bytes (or with a unit); mpool's setting <c>p1_block</c>.</summary>
    public const string BlockSizeVariable = "FIL_PROOFS_P1_BLOCK";

    /// <summary>Number of PC1 jobs sharing the pool (N); mpool's setting <c>p1_tasks</c>.</summary>
    public const string JobsVariable = "FIL_PROOFS_P1_TASKS";

    /// <summary>mpool's opt-in switch (<c>use_mpool</c>); the pool is also on when a size or a job count is given.</summary>
    public const string EnabledVariable = "FIL_PROOFS_USE_MPOOL";

    /// <summary>Default <see cref="BlockSize"/>: 32 MiB, mpool's default <c>p1_block</c>.</summary>
    public const ulong DefaultBlockSize = 32UL << 20;

    /// <summary>Default <see cref="Jobs"/> when neither a job count nor a pool size is given: 6, mpool's default <c>p1_tasks</c>.</summary>
    public const int DefaultJobs = 6;

    /// <summary>Blocks are made smaller for small sectors so that a layer has at least this many.</summary>
    public const int MinBlocksPerLayer = 16;

    /// <summary>Largest accepted block (a block is also reachable as one span).</summary>
    public const ulong MaxBlockSize = 1UL << 30;

    /// <summary>Whether PC1 uses the pool. Default off.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Pool size in bytes; null means mpool's middle <c>(3N+1)·S/2</c>. Must lie in <c>[(N+1)·S, 2N·S]</c> and be a
    /// multiple of the (effective) block size.
    /// </summary>
    public ulong? PoolSize { get; set; }

    /// <summary>
    /// Block size in bytes: a power-of-two number of 32-byte nodes, at most <see cref="MaxBlockSize"/>. Halved for
    /// small sectors until a layer has <see cref="MinBlocksPerLayer"/> blocks. Default <see cref="DefaultBlockSize"/>.
    /// </summary>
    public ulong BlockSize { get; set; } = DefaultBlockSize;

    /// <summary>
    /// Number of PC1 jobs the pool admits at once (N). Null: the most jobs <see cref="PoolSize"/> can hold
    /// (<c>⌊size/S⌋ − 1</c>) when a size is given, else <see cref="DefaultJobs"/>.
    /// </summary>
    public int? Jobs { get; set; }

    /// <summary>
    /// Binds the options from the environment: <c>MEM_POOL_SIZE</c>, <c>FIL_PROOFS_P1_BLOCK</c>, <c>FIL_PROOFS_P1_TASKS</c>,
    /// <c>FIL_PROOFS_USE_MPOOL</c> (1/0, true/false). The pool is on when <c>FIL_PROOFS_USE_MPOOL</c> says so, or, when it
    /// is unset, as soon as a pool size or job count is given.
    /// </summary>
    /// <exception cref="ProofsException">A variable does not parse.</exception>
    public static LabelPoolOptions FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var options = new LabelPoolOptions();
        if (Value(environment, PoolSizeVariable) is { } size)
        {
            options.PoolSize = ParseSize(PoolSizeVariable, size);
        }

        if (Value(environment, BlockSizeVariable) is { } block)
        {
            options.BlockSize = ParseSize(BlockSizeVariable, block);
        }

        if (Value(environment, JobsVariable) is { } jobs)
        {
            options.Jobs = int.TryParse(jobs, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new ProofsException($"{JobsVariable}={jobs} is not a positive number of PC1 jobs");
        }

        options.Enabled = Value(environment, EnabledVariable) is { } enabled
            ? ParseBool(EnabledVariable, enabled)
            : options.PoolSize is not null || options.Jobs is not null;
        options.Validate();
        return options;
    }

    /// <summary>Checks what can be checked without the sector size; <see cref="Layout"/> checks the rest.</summary>
    /// <exception cref="ProofsException">The options cannot work for any sector.</exception>
    public void Validate()
    {
        if (Jobs is < 1)
        {
            throw new ProofsException($"the label pool needs at least one PC1 job ({JobsVariable}), got {Jobs}");
        }

        if (PoolSize is 0)
        {
            throw new ProofsException($"{PoolSizeVariable} must be positive");
        }

        LabelPoolLayout.CheckBlock(BlockSize);
    }

    /// <summary>The pool for sectors of <paramref name="sectorSize"/> bytes: block, job count and size, all checked.</summary>
    /// <exception cref="ProofsException">The size is out of bounds, not a multiple of the block, or the block does not fit the sector.</exception>
    public LabelPoolLayout Layout(ulong sectorSize)
    {
        Validate();
        var jobs = Jobs ?? (PoolSize is { } size ? JobsFitting(size, sectorSize) : DefaultJobs);
        return LabelPoolLayout.Create(sectorSize, jobs, BlockSize, PoolSize);
    }

    /// <summary>The most jobs a pool of <paramref name="poolSize"/> can run to completion: <c>(N+1)·S ≤ size</c>.</summary>
    private static int JobsFitting(ulong poolSize, ulong sectorSize)
    {
        if (sectorSize == 0 || poolSize / sectorSize < 2)
        {
            throw new ProofsException(
                $"{PoolSizeVariable}={poolSize} is below the minimum pool for one PC1 job of a {SectorSizes.Format(sectorSize)} sector ({2 * sectorSize} bytes)");
        }

        return (int)Math.Min(int.MaxValue, (poolSize / sectorSize) - 1);
    }

    private static string? Value(Func<string, string?> environment, string name) =>
        environment(name) is { } text && !string.IsNullOrWhiteSpace(text) ? text.Trim() : null;

    private static ulong ParseSize(string name, string text) =>
        SectorSizes.TryParse(text, out var bytes) ? bytes : throw new ProofsException($"{name}={text} is not a size (bytes, or e.g. 32MiB, 608GiB)");

    private static bool ParseBool(string name, string value) => value.ToLowerInvariant() switch
    {
        "1" or "true" or "yes" or "on" => true,
        "0" or "false" or "no" or "off" => false,
        _ => throw new ProofsException($"{name}={value} is not a boolean: use 1 or 0"),
    };
}
