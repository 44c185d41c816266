using Kiln.Testing;

namespace Kiln.Cluster.Tests;

/// <summary>
/// Waits for a file to exist under a directory, on the directory's file-system notifications (inotify) rather than
/// by polling; create it before the action that writes the file, so its creation cannot be missed.
/// </summary>
internal sealed class FileWatch : IDisposable
{
    private readonly FileSystemWatcher _watcher;
    private readonly string _path;

    /// <param name="root">An existing directory; the file may appear in a subdirectory created later.</param>
    /// <param name="relativePath">The file's path under <paramref name="root"/>.</param>
    public FileWatch(string root, string relativePath)
    {
        _path = Path.Combine(root, relativePath);
        _watcher = new FileSystemWatcher(root) { IncludeSubdirectories = true };
        _watcher.Created += (_, _) => Changed?.Invoke();
        _watcher.Renamed += (_, _) => Changed?.Invoke();
        _watcher.Changed += (_, _) => Changed?.Invoke();
        // A lost notification (buffer overflow) only means: look again.
        _watcher.Error += (_, _) => Changed?.Invoke();
        _watcher.EnableRaisingEvents = true;
    }

    private event Action? Changed;

    /// <summary>Completes once the file exists; fails naming <paramref name="what"/> after <paramref name="patience"/> (90 s).</summary>
    public Task WaitAsync(string what, TimeSpan? patience = null) =>
        EventWait.UntilAsync(h => Changed += h, h => Changed -= h, () => File.Exists(_path), what, patience ?? TimeSpan.FromSeconds(90));

    public void Dispose() => _watcher.Dispose();
}
