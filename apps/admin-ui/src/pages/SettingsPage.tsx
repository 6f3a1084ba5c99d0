import { RequireKitchen } from "../components/RequireKitchen";
import { FrequentSyncSection } from "../components/settings/FrequentSyncSection";
import { HistoricalSyncSection } from "../components/settings/HistoricalSyncSection";
import { NewbookConnectionSection } from "../components/settings/NewbookConnectionSection";

export function SettingsPage() {
  return (
    <div className="page settings">
      <h1>Settings</h1>
      <RequireKitchen>
        <NewbookConnectionSection />
        <FrequentSyncSection />
        <HistoricalSyncSection />
      </RequireKitchen>
    </div>
  );
}
