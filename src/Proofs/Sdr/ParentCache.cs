using System.Collections.Concurrent;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Kiln.Proofs.Sdr;

/// <summary>
/// The SDR parent cache: for every node, its 14 parents as u32 little-endian (6 DRG then 8 expander),
/// node-major, byte-identical to rust-fil-proofs' <c>v28-sdr-parent-&lt;hex&gt;.cache</c>. Either a
/// read-only memory map of that file or a native in-memory copy; <see cref="Pointer"/> stays valid until
/// <see cref="Dispose"/>.
/// </summary>
public sealed class ParentCache : IDisposable
{
    /// <summary>Bytes per node row.</summary>
    public const int RowBytes = StackedGraph.Degree * sizeof(uint);

    /// <summary>Error raised when a freshly generated cache does not match the manifest (rust's wording).</summary>
    public const string InvalidGeneratedMessage = "Newly generated parent cache is invalid";

    /// <summary>Bytes hashed per step when verifying a mapped cache.</summary>
    private const int VerifyStep = 64 << 20;

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    private unsafe uint* _pointer;
    private MemoryMappedFile? _map;
    private MemoryMappedViewAccessor? _view;

    private unsafe ParentCache(uint* pointer, ulong nodes, string? path, MemoryMappedFile? map, MemoryMappedViewAccessor? view)
    {
        _pointer = pointer;
        Nodes = nodes;
        Path = path;
        _map = map;
        _view = view;
    }

    /// <summary>First u32 of the cache (node 0, parent 0). Valid until <see cref="Dispose"/>.</summary>
    public unsafe uint* Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_pointer == null, this);
            return _pointer;
        }
    }

    /// <summary>Nodes (rows) in the cache.</summary>
    public ulong Nodes { get; }

    /// <summary>The mapped file, or null for an in-memory cache.</summary>
    public string? Path { get; }

    /// <summary>The 14 parents of <paramref name="node"/>, a view into the cache.</summary>
    public unsafe ReadOnlySpan<uint> Parents(ulong node)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(node, Nodes);
        return new ReadOnlySpan<uint>(Pointer + (node * StackedGraph.Degree), StackedGraph.Degree);
    }

    /// <summary>The file name of a graph's cache: <c>v28-sdr-parent-&lt;hex&gt;.cache</c>.</summary>
    public static string FileName(StackedGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return graph.CacheId + ".cache";
    }

    /// <summary>Where <see cref="OpenOrCreateAsync(StackedGraph, ParentCacheOptions, IProgress{double}?, CancellationToken)"/> keeps the cache of a graph.</summary>
    public static string GetPath(StackedGraph graph, ParentCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return System.IO.Path.Combine(options.Directory, FileName(graph));
    }

    /// <summary>Generates the whole cache into native memory (all cores). For tests and small sectors.</summary>
    public static unsafe ParentCache CreateInMemory(StackedGraph graph, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var pointer = (uint*)NativeMemory.AlignedAlloc((nuint)graph.CacheSize, 4096);
        try
        {
            ParentCacheGenerator.Fill(graph, pointer, cancellationToken);
        }
        catch
        {
            NativeMemory.AlignedFree(pointer);
            throw;
        }

        return new ParentCache(pointer, graph.Nodes, null, null, null);
    }

    /// <summary>SHA-256 of the cache of <paramref name="graph"/>, streamed without writing it anywhere.</summary>
    public static Task<byte[]> ComputeDigestAsync(StackedGraph graph, CancellationToken cancellationToken = default)
        => ParentCacheGenerator.RunAsync(graph, null, null, cancellationToken);

    /// <summary>Writes the cache of <paramref name="graph"/> to <paramref name="destination"/>; returns its SHA-256.</summary>
    public static Task<byte[]> WriteAsync(StackedGraph graph, Stream destination, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return ParentCacheGenerator.RunAsync(graph, destination.WriteAsync, progress, cancellationToken);
    }

    /// <summary>Opens (memory-maps) or generates the cache of a registered seal proof.</summary>
    public static Task<ParentCache> OpenOrCreateAsync(SealProofInfo proof, ParentCacheOptions options, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(proof);
        return OpenOrCreateAsync(new StackedGraph(proof), options, progress, cancellationToken);
    }

    /// <summary>
    /// Opens <c>&lt;dir&gt;/v28-sdr-parent-&lt;hex&gt;.cache</c> read-only (memory-mapped), generating it first when
    /// missing or of the wrong size. Like rust-fil-proofs, the writer creates the file exclusively and holds an
    /// exclusive flock while writing; readers take a shared flock, so another process (Kiln or a Lotus worker)
    /// waits for a writer and then opens its file. A generated cache whose id is in the manifest must match the
    /// manifest digest ("Newly generated parent cache is invalid"); with <see cref="ParentCacheOptions.VerifyCache"/>
    /// an existing one is re-hashed and, on mismatch, deleted and regenerated.
    /// </summary>
    public static async Task<ParentCache> OpenOrCreateAsync(StackedGraph graph, ParentCacheOptions options, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var path = GetPath(graph, options);
        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);

        // Processes coordinate through flock; callers inside this process queue here instead of polling.
        var gate = Gates.GetOrAdd(System.IO.Path.GetFullPath(path), _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var generatedHere = false;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                switch (TryOpenShared(path, out var file))
                {
                    case OpenResult.Locked:
                        await Task.Delay(options.LockPollInterval, options.Time, cancellationToken).ConfigureAwait(false);
                        continue;

                    case OpenResult.Opened:
                        var cache = await TryMapAsync(graph, path, file!, options.VerifyCache && !generatedHere, cancellationToken).ConfigureAwait(false);
                        if (cache is not null)
                        {
                            return cache;
                        }

                        // Wrong size (a writer died) or wrong digest: remove it and generate again.
                        TryDelete(path);
                        continue;

                    case OpenResult.Missing:
                        if (await TryGenerateAsync(graph, path, progress, cancellationToken).ConfigureAwait(false))
                        {
                            generatedHere = true;
                        }

                        continue;
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Unmaps or frees the cache; <see cref="Pointer"/> is invalid afterwards.</summary>
    public unsafe void Dispose()
    {
        if (_pointer == null)
        {
            return;
        }

        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _map?.Dispose();
            _view = null;
            _map = null;
        }
        else
        {
            NativeMemory.AlignedFree(_pointer);
        }

        _pointer = null;
    }

    private static OpenResult TryOpenShared(string path, out FileStream? file)
    {
        file = null;
        try
        {
            // FileShare.Read takes flock(LOCK_SH | LOCK_NB): fails while a writer holds LOCK_EX.
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
            return OpenResult.Opened;
        }
        catch (FileNotFoundException)
        {
            return OpenResult.Missing;
        }
        catch (IOException) when (File.Exists(path))
        {
            return OpenResult.Locked;
        }
        catch (IOException) when (!File.Exists(path))
        {
            // Deleted between the attempt and the check.
            return OpenResult.Missing;
        }
    }

    private static async Task<ParentCache?> TryMapAsync(StackedGraph graph, string path, FileStream file, bool verify, CancellationToken cancellationToken)
    {
        if ((ulong)file.Length != graph.CacheSize)
        {
            await file.DisposeAsync().ConfigureAwait(false);
            return null;
        }

        var cache = Map(graph, path, file);
        if (verify && ParentCacheManifest.TryGet(graph.CacheId, out var entry))
        {
            byte[] digest;
            try
            {
                digest = await Task.Run(() => cache.ComputeDigest(cancellationToken), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                cache.Dispose();
                throw;
            }

            if (!digest.AsSpan().SequenceEqual(entry.Digest))
            {
                cache.Dispose();
                return null;
            }
        }

        return cache;
    }

    private static unsafe ParentCache Map(StackedGraph graph, string path, FileStream file)
    {
        var map = MemoryMappedFile.CreateFromFile(file, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = map.CreateViewAccessor(0, (long)graph.CacheSize, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            return new ParentCache((uint*)(pointer + view.PointerOffset), graph.Nodes, path, map, view);
        }
        catch
        {
            view?.Dispose();
            map.Dispose();
            throw;
        }
    }

    /// <summary>Creates and writes the file under an exclusive lock; false when another writer got there first.</summary>
    private static async Task<bool> TryGenerateAsync(StackedGraph graph, string path, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        FileStream file;
        try
        {
            // CreateNew = O_CREAT | O_EXCL; FileShare.None takes flock(LOCK_EX | LOCK_NB), as rust does.
            file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }

        var complete = false;
        try
        {
            var digest = await ParentCacheGenerator.RunAsync(graph, file.WriteAsync, progress, cancellationToken).ConfigureAwait(false);
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
            if (ParentCacheManifest.TryGet(graph.CacheId, out var entry) && !digest.AsSpan().SequenceEqual(entry.Digest))
            {
                throw new ProofsException(
                    $"{InvalidGeneratedMessage}: {path} has SHA-256 {Convert.ToHexStringLower(digest)}, the manifest expects {Convert.ToHexStringLower(entry.Digest)}");
            }

            complete = true;
            return true;
        }
        finally
        {
            await file.DisposeAsync().ConfigureAwait(false);
            if (!complete)
            {
                TryDelete(path);
            }
        }
    }

    private unsafe byte[] ComputeDigest(CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var bytes = (byte*)Pointer;
        var total = Nodes * RowBytes;
        for (ulong offset = 0; offset < total; offset += VerifyStep)
        {
            cancellationToken.ThrowIfCancellationRequested();
            hash.AppendData(new ReadOnlySpan<byte>(bytes + offset, (int)Math.Min(VerifyStep, total - offset)));
        }

        return hash.GetHashAndReset();
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Someone else removed or replaced it; the open loop sorts it out.
        }
    }

    private enum OpenResult
    {
        Missing,
        Locked,
        Opened,
    }
}
