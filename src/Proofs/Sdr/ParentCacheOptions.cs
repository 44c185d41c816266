using System.Collections;

namespace Kiln.Proofs.Sdr;

/// <summary>
/// Where the SDR parent caches live and whether they are re-verified on open. Bound from the same
/// environment variables rust-fil-proofs reads, so Kiln and a Lotus worker can share one directory.
/// </summary>
public sealed class ParentCacheOptions
{
    /// <summary>rust-fil-proofs' default cache root when FIL_PROOFS_CACHE_DIR is unset (note the trailing slash).</summary>
    public const string DefaultCacheRoot = "/var/tmp/";

    /// <summary>Appended to the cache root by plain string concatenation, as rust-fil-proofs does.</summary>
    public const string DefaultDirectoryName = "filecoin-parents";

    /// <summary>Default <see cref="Directory"/>: <c>/var/tmp/filecoin-parents</c>.</summary>
    public const string DefaultDirectory = DefaultCacheRoot + DefaultDirectoryName;

    /// <summary>Default <see cref="VerifyCache"/>: off, as in rust-fil-proofs.</summary>
    public const bool DefaultVerifyCache = false;

    /// <summary>Environment variable naming the cache directory itself (setting <c>parent_cache</c>).</summary>
    public const string ParentCacheVariable = "FIL_PROOFS_PARENT_CACHE";

    /// <summary>Environment variable naming the cache root the default directory is appended to.</summary>
    public const string CacheDirVariable = "FIL_PROOFS_CACHE_DIR";

    /// <summary>Environment variable enabling digest verification on open (setting <c>verify_cache</c>).</summary>
    public const string VerifyCacheVariable = "FIL_PROOFS_VERIFY_CACHE";

    /// <summary>Default <see cref="LockPollInterval"/>.</summary>
    public static readonly TimeSpan DefaultLockPollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Directory holding <c>v28-sdr-parent-&lt;hex&gt;.cache</c> files; the files are placed directly in it.
    /// Default <see cref="DefaultDirectory"/>.
    /// </summary>
    public string Directory { get; set; } = DefaultDirectory;

    /// <summary>
    /// Hash an existing cache on open and, if its id is in the manifest and the digest differs, delete and
    /// regenerate it. Freshly generated caches are always checked. Default <see cref="DefaultVerifyCache"/>.
    /// </summary>
    public bool VerifyCache { get; set; } = DefaultVerifyCache;

    /// <summary>
    /// How often to retry while another process holds the exclusive lock of a cache it is writing.
    /// Default <see cref="DefaultLockPollInterval"/>.
    /// </summary>
    public TimeSpan LockPollInterval { get; set; } = DefaultLockPollInterval;

    /// <summary>The clock the <see cref="LockPollInterval"/> waits run on. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>
    /// Binds the options from environment variables exactly as rust-fil-proofs' settings do:
    /// <c>FIL_PROOFS_PARENT_CACHE</c> is the directory; otherwise <c>${FIL_PROOFS_CACHE_DIR:-/var/tmp/}filecoin-parents</c>
    /// (concatenated, so FIL_PROOFS_CACHE_DIR needs its trailing slash); <c>FIL_PROOFS_VERIFY_CACHE</c> accepts
    /// 1/0, true/false, yes/no, on/off.
    /// </summary>
    /// <param name="environment">Variables to read; the process environment when null.</param>
    public static ParentCacheOptions FromEnvironment(IDictionary? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariables();
        var options = new ParentCacheOptions();

        if (environment[ParentCacheVariable] is string parentCache)
        {
            options.Directory = parentCache;
        }
        else
        {
            var root = environment[CacheDirVariable] as string ?? DefaultCacheRoot;
            options.Directory = root + DefaultDirectoryName;
        }

        if (environment[VerifyCacheVariable] is string verify)
        {
            options.VerifyCache = ParseBool(VerifyCacheVariable, verify);
        }

        options.Validate();
        return options;
    }

    /// <summary>Throws when the options cannot work.</summary>
    public void Validate()
    {
        if (Directory is null)
        {
            throw new ProofsException("ParentCacheOptions.Directory must be set");
        }

        if (LockPollInterval <= TimeSpan.Zero)
        {
            throw new ProofsException($"ParentCacheOptions.LockPollInterval must be positive, got {LockPollInterval}");
        }
    }

    private static bool ParseBool(string name, string value) => value.Trim().ToLowerInvariant() switch
    {
        "1" or "true" or "yes" or "on" => true,
        "0" or "false" or "no" or "off" => false,
        _ => throw new ProofsException($"{name}={value} is not a boolean: use 1 or 0"),
    };
}
