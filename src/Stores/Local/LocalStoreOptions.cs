namespace Kiln.Stores.Local;

/// <summary>How a host's <see cref="LocalStore"/> is set up.</summary>
public sealed class LocalStoreOptions
{
    /// <summary>Lotus <c>HeartbeatInterval</c>: how often path health goes to the index.</summary>
    public static readonly TimeSpan DefaultHealthInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// This host's <c>/remote</c> base URLs (<c>http://host:port/remote</c>), announced with every path it opens so
    /// other hosts can fetch from it. Required.
    /// </summary>
    public IReadOnlyList<string> Urls { get; set; } = [];

    /// <summary>The repo's <c>storage.json</c>; when set, <see cref="LocalStore.OpenAsync"/> opens its paths and attaches are added to it.</summary>
    public string? StorageConfigFile { get; set; }

    /// <summary>Interval of <see cref="LocalStore.RunHealthReportsAsync"/> (default <see cref="DefaultHealthInterval"/>).</summary>
    public TimeSpan HealthInterval { get; set; } = DefaultHealthInterval;

    public void Validate()
    {
        if (Urls.Count == 0 || Urls.Any(u => !Uri.TryCreate(u, UriKind.Absolute, out _)))
        {
            throw new ArgumentException("LocalStoreOptions.Urls needs at least one absolute /remote URL", nameof(Urls));
        }

        if (HealthInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("LocalStoreOptions.HealthInterval must be positive", nameof(HealthInterval));
        }
    }
}
