using System.Diagnostics;

namespace Workers.Actors.Launching;

/// <summary>The processes a process started, read from Linux's /proc without enumerating every process.</summary>
internal static class ProcessTree
{
    public static List<int> Descendants(int pid)
    {
        var found = new List<int>();
        var next = new Queue<int>([pid]);
        while (next.TryDequeue(out var parent))
        {
            foreach (var child in Children(parent))
            {
                if (found.Contains(child))
                    continue;
                found.Add(child);
                next.Enqueue(child);
            }
        }
        return found;
    }

    public static void KillQuietly(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Gone already.
        }
    }

    private static IEnumerable<int> Children(int pid)
    {
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (IOException)
        {
            yield break; // the process is gone
        }
        catch (UnauthorizedAccessException)
        {
            yield break;
        }
        foreach (var task in tasks)
        {
            string children;
            try
            {
                children = File.ReadAllText(Path.Combine(task, "children"));
            }
            catch (IOException)
            {
                continue;
            }
            foreach (var token in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (int.TryParse(token, out var child))
                    yield return child;
            }
        }
    }
}
